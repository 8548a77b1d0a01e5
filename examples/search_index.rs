//! Measures the search indexer against Pagefind's on the same records: every Markdown file of a
//! content folder, its language taken from its name (`index.fr.md`), its text as the page's.
//!
//! `cargo run --release --example search_index -- <content folder> intercite|pagefind`
//!
//! Run each indexer in its own process (`/usr/bin/time -v` gives the peak memory); it prints
//! the number of records, the time and the bundle's size.

use std::time::Instant;

use intercite::search::{pagefind_bundle, Digest, Record, SiteIndex};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (Some(folder), Some(which)) = (args.next(), args.next()) else {
        return Err("usage: search_index <content folder> intercite|pagefind".into());
    };
    let mut records = Vec::new();
    for entry in walkdir::WalkDir::new(&folder).sort_by_file_name() {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let language = stem.rsplit('.').next().unwrap_or("en").to_string();
        let url = format!("/{}/", path.display());
        records.push((url, language, text));
    }
    let started = Instant::now();
    let files = match which.as_str() {
        "intercite" => {
            let mut index = SiteIndex::new();
            for (url, language, text) in records.iter() {
                let digest = Digest {
                    text: text.clone(),
                    always: true,
                    language: language.clone(),
                    ..Digest::default()
                };
                index.add(url, digest);
            }
            index.finish()?
        }
        "pagefind" => pagefind(&records)?,
        other => return Err(format!("unknown indexer `{other}`")),
    };
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "{which}: {} records, {} files, {:.1} MiB, {:.2} s",
        records.len(),
        files.len(),
        bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn pagefind(records: &[(String, String, String)]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let records = records
        .iter()
        .map(|(url, language, text)| Record {
            url: url.clone(),
            language: language.clone(),
            content: text.clone(),
            ..Record::default()
        })
        .collect();
    pagefind_bundle(records)
}
