//! One language's index, built as its pages come and written in Pagefind's format.
//!
//! Each page is read once, its fragment (what a result shows: URL, title, excerpt text) is
//! compressed at once, and its terms are folded into the language's postings: for each term,
//! the pages it is on with the positions and weights. Nothing else of the page is kept, so the
//! memory an index holds is about the size of its compressed output, not of its pages.
//!
//! The files, as the client reads them:
//! - `pagefind.<lang>_<hash>.pf_meta`: the version, the pages (fragment, word count), where each
//!   range of terms is, the filters, sort orders and metadata field names;
//! - `index/<lang>_<hash>.pf_index`: the postings of a range of terms, in term order;
//! - `fragment/<lang>_<hash>.pf_fragment`: one page's fragment, JSON;
//! - `filter/<lang>_<hash>.pf_filter`: the pages of each value of a filter.
//!
//! All are gzipped after a `pagefind_dcd` signature, and named by a hash of their content, so a
//! reader's cache never serves a stale one.

use std::collections::BTreeMap;
use std::rc::Rc;

use foldhash::{HashMap, HashSet};
use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use rayon::prelude::*;
use serde::Serialize;
use sha1::{Digest as _, Sha1};

use super::cbor;
use super::page::{self, Anchor, Digest, MetaOccurrence, Occurrence};
use super::words::Vocabulary;

/// Postings per index chunk (counted as Pagefind counts them): a query downloads the chunks
/// its terms fall in, so this trades the number of requests against their size.
const CHUNK_SIZE: usize = 20_000;

/// A page's places for one term.
#[derive(Debug, Clone)]
struct Posting {
    page: u32,
    /// Word positions, delta-coded; a negative number `-w - 1` switches to weight `w`, and the
    /// position after it is absolute.
    locations: Vec<i32>,
    /// Metadata places, (field by first appearance in this index, word number): their field
    /// numbers are only known once every page is in (see [`LanguageIndex::finish`]).
    meta: Vec<(u16, u32)>,
}

/// A term's postings, and those of its accented forms.
#[derive(Debug, Default)]
struct TermPostings {
    plain: PostingList,
    accented: Vec<(String, PostingList)>,
}

/// Postings packed into one byte vector, each `[page - previous page, n, n locations, m,
/// m × (field, word)]` as variable-length integers (7 bits a byte; locations zigzag-coded, as
/// weight switches are negative). A language holds one posting per term and page: a vector of
/// its own for each would cost an allocation and its overhead each, and fixed-width numbers four
/// bytes where one nearly always does.
#[derive(Debug, Default)]
struct PostingList {
    count: usize,
    last_page: u32,
    packed: Vec<u8>,
}

impl PostingList {
    fn push(&mut self, posting: &Posting) {
        self.count += 1;
        put_varint(&mut self.packed, posting.page - self.last_page);
        self.last_page = posting.page;
        put_varint(&mut self.packed, posting.locations.len() as u32);
        for &location in &posting.locations {
            // Zigzag: 0, -1, 1, -2… become 0, 1, 2, 3…
            put_varint(
                &mut self.packed,
                ((location << 1) ^ (location >> 31)) as u32,
            );
        }
        put_varint(&mut self.packed, posting.meta.len() as u32);
        for &(field, word) in &posting.meta {
            put_varint(&mut self.packed, u32::from(field));
            put_varint(&mut self.packed, word);
        }
    }

    fn iter(&self) -> impl Iterator<Item = Posting> + '_ {
        let mut bytes = self.packed.iter().copied();
        let mut page = 0;
        std::iter::from_fn(move || {
            page += take_varint(&mut bytes)?;
            let locations_len = take_varint(&mut bytes)? as usize;
            let mut locations = Vec::with_capacity(locations_len);
            for _ in 0..locations_len {
                let zigzag = take_varint(&mut bytes)?;
                locations.push((zigzag >> 1) as i32 ^ -((zigzag & 1) as i32));
            }
            let meta_len = take_varint(&mut bytes)? as usize;
            let mut meta = Vec::with_capacity(meta_len);
            for _ in 0..meta_len {
                let field = take_varint(&mut bytes)? as u16;
                meta.push((field, take_varint(&mut bytes)?));
            }
            Some(Posting {
                page,
                locations,
                meta,
            })
        })
    }
}

fn put_varint(bytes: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        bytes.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

fn take_varint(bytes: &mut impl Iterator<Item = u8>) -> Option<u32> {
    let mut value = 0u32;
    let mut shift = 0;
    loop {
        let byte = bytes.next()?;
        value |= u32::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
        shift += 7;
    }
}

/// A page kept for the meta file.
struct PageEntry {
    fragment: String,
    word_count: u32,
}

/// The index of one language's pages, built page by page.
pub struct LanguageIndex {
    language_code: String,
    vocabulary: Vocabulary,
    /// By term number (see [`Vocabulary::key`]); terms met only on pages left out have none.
    postings: Vec<TermPostings>,
    pages: Vec<PageEntry>,
    fragment_names: HashMap<String, String>,
    fragments: Vec<(String, Vec<u8>)>,
    filters: HashMap<String, HashMap<String, Vec<u32>>>,
    sorts: BTreeMap<String, Vec<(String, u32)>>,
    /// Metadata field names, by first appearance.
    meta_fields: Vec<String>,
    /// The coded places of the term being added (see [`locations_into`]).
    spare_locations: Vec<i32>,
}

/// Emptied vectors of places kept for the next pages (see `Vocabulary::spare_places`): more
/// than the distinct terms of nearly any page.
const MOST_SPARE_PLACES: usize = 4096;

/// A page's fragment as the client reads it.
#[derive(Serialize)]
struct Fragment<'a> {
    url: &'a str,
    content: &'a str,
    word_count: usize,
    filters: &'a BTreeMap<String, Vec<String>>,
    meta: &'a BTreeMap<String, String>,
    anchors: &'a [Anchor],
}

impl Fragment<'_> {
    /// The fragment as `serde_json` writes it (the same bytes: a test compares them), with the
    /// page's text, most of every fragment, escaped a stretch at a time: `serde_json` looks
    /// every byte up in a table and writes the text byte by byte between escapes.
    fn to_json(&self) -> String {
        let mut json = String::with_capacity(self.content.len() + self.url.len() + 256);
        json.push_str("{\"url\":");
        json_string(self.url, &mut json);
        json.push_str(",\"content\":");
        json_string(self.content, &mut json);
        json.push_str(",\"word_count\":");
        json.push_str(&self.word_count.to_string());
        json.push_str(",\"filters\":");
        json.push_str(&json_of(self.filters));
        json.push_str(",\"meta\":");
        json.push_str(&json_of(self.meta));
        json.push_str(",\"anchors\":");
        json.push_str(&json_of(self.anchors));
        json.push('}');
        json
    }
}

/// A small value (a fragment's filters, fields, anchors) as `serde_json` writes it.
fn json_of<T: Serialize + ?Sized>(value: &T) -> String {
    // Serializing plain strings, maps and lists cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it: `"` and `\` behind a
/// backslash, the control characters with a short escape as such (`\n`, `\t`, …), the others
/// as `\u00XX` in lowercase hexadecimal, everything else as it is.
fn json_string(text: &str, out: &mut String) {
    out.push('"');
    let special = |c: u8| (c < 0x20) | (c == b'"') | (c == b'\\');
    for (run, picked) in crate::scan::runs_between(text, special) {
        out.push_str(run);
        match picked {
            None => {}
            Some(b'"') => out.push_str("\\\""),
            Some(b'\\') => out.push_str("\\\\"),
            Some(b'\n') => out.push_str("\\n"),
            Some(b'\r') => out.push_str("\\r"),
            Some(b'\t') => out.push_str("\\t"),
            Some(0x08) => out.push_str("\\b"),
            Some(0x0C) => out.push_str("\\f"),
            Some(other) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(other >> 4)]));
                out.push(char::from(HEX[usize::from(other & 0xF)]));
            }
        }
    }
    out.push('"');
}

impl LanguageIndex {
    /// An empty index for pages whose language is `code` (lowercased `<html lang>`).
    pub fn new(code: &str) -> LanguageIndex {
        LanguageIndex {
            language_code: code.to_string(),
            vocabulary: Vocabulary::new(code),
            postings: Vec::new(),
            pages: Vec::new(),
            fragment_names: HashMap::default(),
            fragments: Vec::new(),
            filters: HashMap::default(),
            sorts: BTreeMap::new(),
            meta_fields: Vec::new(),
            spare_locations: Vec::new(),
        }
    }

    /// The number of pages indexed.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Indexes a page (its URL, as results link to it, and its digest). A page without a single
    /// word is left out.
    pub fn add(&mut self, url: &str, mut digest: Digest) {
        for values in digest.filters.values_mut() {
            for value in values.iter_mut() {
                if let Some(clean) = page::without_markers(value) {
                    *value = clean;
                }
            }
        }
        for value in digest.meta.values_mut() {
            if let Some(clean) = page::without_markers(value) {
                *value = clean;
            }
        }
        let words = page::read(&digest, &mut self.vocabulary);
        if words.terms.is_empty() {
            return;
        }
        let page = self.pages.len() as u32;

        let field_ids: Vec<u16> = digest
            .meta
            .keys()
            .map(|name| self.meta_field(name))
            .collect();
        let mut meta_terms = words.meta_terms;
        for (id, mut occurrences) in words.terms {
            let meta = meta_terms.remove(&id).unwrap_or_default();
            self.add_term(id, page, &mut occurrences, meta, &field_ids);
            // Kept within bounds: a page of many distinct words, or a word met thousands of
            // times, leaves no lasting weight.
            let spares = &mut self.vocabulary.spare_places;
            if spares.len() < MOST_SPARE_PLACES && occurrences.capacity() <= 1024 {
                occurrences.clear();
                spares.push(occurrences);
            }
        }
        // Terms found only in the metadata. Each term has postings of its own: the order
        // they are added in changes nothing.
        for (id, meta) in meta_terms {
            self.add_term(id, page, &mut Vec::new(), meta, &field_ids);
        }

        for (filter, values) in &digest.filters {
            let filter = self.filters.entry(filter.clone()).or_default();
            for value in values {
                filter.entry(value.clone()).or_default().push(page);
            }
        }
        for (sort, value) in &digest.sort {
            self.sorts
                .entry(sort.clone())
                .or_default()
                .push((value.clone(), page));
        }

        let fragment = Fragment {
            url,
            content: &words.content,
            word_count: words.word_count,
            filters: &digest.filters,
            meta: &digest.meta,
            anchors: &words.anchors,
        };
        let json = fragment.to_json();
        let full = format!("{}_{}", self.language_code, hex_sha1(json.as_bytes()));
        let mut length = self.language_code.len() + 8;
        while length < full.len() && self.fragment_names.contains_key(&full[..length]) {
            length += 1;
        }
        let name = full[..length.min(full.len())].to_string();
        self.fragment_names.insert(name.clone(), full);
        self.fragments
            .push((name.clone(), compress(json.as_bytes())));
        self.pages.push(PageEntry {
            fragment: name,
            word_count: words.word_count as u32,
        });
    }

    fn meta_field(&mut self, name: &str) -> u16 {
        match self.meta_fields.iter().position(|field| field == name) {
            Some(at) => at as u16,
            None => {
                self.meta_fields.push(name.to_string());
                (self.meta_fields.len() - 1) as u16
            }
        }
    }

    /// Folds one term's places on a page into the postings: plain places and metadata places,
    /// then each accented form's, the forms in their order on the page.
    fn add_term(
        &mut self,
        id: u32,
        page: u32,
        occurrences: &mut Vec<Occurrence>,
        meta: Vec<MetaOccurrence>,
        field_ids: &[u16],
    ) {
        let index = id as usize;
        if self.postings.len() <= index {
            self.postings.resize_with(index + 1, TermPostings::default);
        }
        // Most terms of most pages have no accented form: their places go to the plain form
        // as they are, without being sorted out by form.
        let accented = occurrences.iter().any(|o| o.accented.is_some())
            || meta.iter().any(|place| place.accented.is_some());
        if !accented {
            let plain_meta: Vec<(u16, u32)> = meta
                .iter()
                .map(|place| (field_ids[place.field as usize], place.position))
                .collect();
            if !occurrences.is_empty() || !plain_meta.is_empty() {
                let mut posting = Posting {
                    page,
                    locations: std::mem::take(&mut self.spare_locations),
                    meta: plain_meta,
                };
                locations_into(occurrences, &mut posting.locations);
                self.postings[index].plain.push(&posting);
                self.spare_locations = posting.locations;
            }
            return;
        }
        // Pagefind's order: the plain form, then the accented forms of the text in form order,
        // then accented forms found only in the metadata, in form order.
        let mut plain = Vec::new();
        let mut text_forms: BTreeMap<Rc<str>, Vec<Occurrence>> = BTreeMap::new();
        for occurrence in occurrences.drain(..) {
            match &occurrence.accented {
                Some(form) => text_forms
                    .entry(Rc::clone(form))
                    .or_default()
                    .push(occurrence),
                None => plain.push(occurrence),
            }
        }
        let mut plain_meta = Vec::new();
        let mut meta_forms: BTreeMap<Rc<str>, Vec<(u16, u32)>> = BTreeMap::new();
        for place in meta {
            let field = field_ids[place.field as usize];
            match place.accented {
                Some(form) => meta_forms
                    .entry(form)
                    .or_default()
                    .push((field, place.position)),
                None => plain_meta.push((field, place.position)),
            }
        }
        let mut forms: Vec<(Rc<str>, Posting)> = Vec::new();
        for (form, mut occurrences) in text_forms {
            let meta = meta_forms.remove(&form).unwrap_or_default();
            forms.push((
                form,
                Posting {
                    page,
                    locations: locations(&mut occurrences),
                    meta,
                },
            ));
        }
        for (form, meta) in meta_forms {
            forms.push((
                form,
                Posting {
                    page,
                    locations: Vec::new(),
                    meta,
                },
            ));
        }
        let postings = &mut self.postings[index];
        if !plain.is_empty() || !plain_meta.is_empty() {
            postings.plain.push(&Posting {
                page,
                locations: locations(&mut plain),
                meta: plain_meta,
            });
        }
        for (form, posting) in forms {
            match postings
                .accented
                .iter_mut()
                .find(|(known, _)| **known == *form)
            {
                Some((_, list)) => list.push(&posting),
                None => {
                    let mut list = PostingList::default();
                    list.push(&posting);
                    postings.accented.push((form.to_string(), list));
                }
            }
        }
    }

    /// The index's files (path under the bundle folder, contents) and its entry in
    /// `pagefind-entry.json` (meta file's name, page count). `version` is the client's, which
    /// it checks the meta file against.
    pub fn finish(self, version: &str) -> (Vec<(String, Vec<u8>)>, String, usize) {
        let code = self.language_code.clone();
        let mut files = Vec::new();

        // Metadata fields are numbered in name order across the whole index.
        let mut sorted_fields: Vec<&String> = self.meta_fields.iter().collect();
        sorted_fields.sort();
        let renumber: Vec<u16> = self
            .meta_fields
            .iter()
            .map(|name| sorted_fields.iter().position(|f| *f == name).unwrap_or(0) as u16)
            .collect();
        let meta_fields: Vec<String> = sorted_fields.into_iter().cloned().collect();

        let vocabulary = &self.vocabulary;
        let mut terms: Vec<(String, TermPostings)> = self
            .postings
            .into_iter()
            .enumerate()
            .filter(|(_, postings)| postings.plain.count > 0 || !postings.accented.is_empty())
            .map(|(id, postings)| (vocabulary.key(id as u32).to_string(), postings))
            .collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        let chunks = chunk(terms);
        let ranges = chunk_ranges(&chunks);
        // Encoding and compressing the chunks, most of this function's time, on every core:
        // the last language's index is finished while little else is left to do. Their names
        // are then given in order, as a name depends on those taken before it.
        let encoded: Vec<(Vec<u8>, Vec<u8>)> = chunks
            .par_iter()
            .map(|chunk| {
                let bytes = encode_chunk(chunk, &renumber);
                let compressed = compress(&bytes);
                (bytes, compressed)
            })
            .collect();
        let mut chunk_names: HashSet<String> = HashSet::default();
        let mut index_chunks = Vec::new();
        for ((bytes, compressed), (from, to)) in encoded.into_iter().zip(ranges) {
            let name = short_name(&code, &bytes, &chunk_names);
            chunk_names.insert(name.clone());
            files.push((format!("index/{name}.pf_index"), compressed));
            index_chunks.push((from, to, name));
        }

        let mut filters: Vec<(String, HashMap<String, Vec<u32>>)> =
            self.filters.into_iter().collect();
        filters.sort_by(|a, b| a.0.cmp(&b.0));
        let mut filter_names: HashSet<String> = HashSet::default();
        let mut filter_entries = Vec::new();
        for (filter, values) in filters {
            let mut values: Vec<(String, Vec<u32>)> = values.into_iter().collect();
            values.sort_by(|a, b| a.0.cmp(&b.0));
            let mut writer = cbor::Writer::default();
            writer.array(2);
            writer.text(&filter);
            writer.array(values.len());
            for (value, pages) in &values {
                writer.array(2);
                writer.text(value);
                writer.array(pages.len());
                for &page in pages {
                    writer.unsigned(u64::from(page));
                }
            }
            let name = short_name(&code, &writer.bytes, &filter_names);
            filter_names.insert(name.clone());
            files.push((format!("filter/{name}.pf_filter"), compress(&writer.bytes)));
            filter_entries.push((filter, name));
        }

        let mut meta = cbor::Writer::default();
        meta.array(6);
        meta.text(version);
        meta.array(self.pages.len());
        for page in &self.pages {
            meta.array(3);
            meta.text(&page.fragment);
            meta.unsigned(u64::from(page.word_count));
            meta.text("");
        }
        meta.array(index_chunks.len());
        for (from, to, name) in &index_chunks {
            meta.array(3);
            meta.text(from);
            meta.text(to);
            meta.text(name);
        }
        meta.array(filter_entries.len());
        for (filter, name) in &filter_entries {
            meta.array(2);
            meta.text(filter);
            meta.text(name);
        }
        meta.array(self.sorts.len());
        for (sort, values) in &self.sorts {
            meta.array(2);
            meta.text(sort);
            let order = sort_order(values);
            meta.array(order.len());
            for page in order {
                meta.unsigned(u64::from(page));
            }
        }
        meta.array(meta_fields.len());
        for field in &meta_fields {
            meta.text(field);
        }
        let hash = hex_sha1(&meta.bytes);
        let meta_name = format!("{code}_{}", &hash[..(code.len() + 8).min(hash.len())]);
        files.push((
            format!("pagefind.{meta_name}.pf_meta"),
            compress(&meta.bytes),
        ));
        let page_count = self.pages.len();
        files.extend(
            self.fragments
                .into_iter()
                .map(|(name, bytes)| (format!("fragment/{name}.pf_fragment"), bytes)),
        );
        (files, meta_name, page_count)
    }
}

/// Positions of a term on a page, as [`Posting::locations`] codes them, in order of weight then
/// position. Pagefind puts weight 25 first, thinking it the ordinary weight (which is 24); no
/// weight is 25, but the rule is kept so that the order, and so the bytes, agree.
fn locations(occurrences: &mut [Occurrence]) -> Vec<i32> {
    let mut coded = Vec::with_capacity(occurrences.len() + 2);
    locations_into(occurrences, &mut coded);
    coded
}

/// [`locations`] written into `coded`, emptied first: the index keeps one vector for the
/// places of every plain term of every page, rather than one made for each.
fn locations_into(occurrences: &mut [Occurrence], coded: &mut Vec<i32>) {
    occurrences.sort_by_key(|o| (if o.weight == 25 { 0 } else { o.weight }, o.position));
    coded.clear();
    let mut weight = 25;
    let mut last = 0;
    for occurrence in occurrences.iter() {
        if occurrence.weight != weight {
            coded.push(-i32::from(occurrence.weight) - 1);
            coded.push(occurrence.position as i32);
            weight = occurrence.weight;
        } else {
            coded.push((occurrence.position - last) as i32);
        }
        last = occurrence.position;
    }
}

/// Metadata places coded like locations: `-field - 1` switches field, then delta-coded word
/// numbers within it.
fn meta_locations(places: &[(u16, u32)], renumber: &[u16]) -> Vec<i32> {
    let mut places: Vec<(u16, u32)> = places
        .iter()
        .map(|&(field, position)| (renumber[field as usize], position))
        .collect();
    places.sort();
    let mut coded = Vec::with_capacity(places.len() + 2);
    let mut field = None;
    let mut last = 0;
    for (this_field, position) in places {
        if field != Some(this_field) {
            coded.push(-i32::from(this_field) - 1);
            field = Some(this_field);
            last = 0;
        }
        coded.push((position - last) as i32);
        last = position;
    }
    coded
}

/// The length of [`meta_locations`]' output: a place per word and a switch per field.
fn coded_meta_len(places: &[(u16, u32)]) -> usize {
    let fields: HashSet<u16> = places.iter().map(|&(field, _)| field).collect();
    places.len() + fields.len()
}

/// Cuts the sorted terms into chunks of about [`CHUNK_SIZE`] postings.
fn chunk(terms: Vec<(String, TermPostings)>) -> Vec<Vec<(String, TermPostings)>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for (key, postings) in terms {
        size += postings
            .plain
            .iter()
            .chain(postings.accented.iter().flat_map(|(_, list)| list.iter()))
            .map(|p| p.locations.len() + coded_meta_len(&p.meta) + 1)
            .sum::<usize>()
            + postings.accented.len();
        current.push((key, postings));
        if size >= CHUNK_SIZE {
            chunks.push(std::mem::take(&mut current));
            size = 0;
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// The range of terms each chunk covers, cut to the shortest prefixes that still tell two
/// neighbouring chunks apart.
fn chunk_ranges(chunks: &[Vec<(String, TermPostings)>]) -> Vec<(String, String)> {
    let mut ranges: Vec<(String, String)> = chunks
        .iter()
        .map(|chunk| {
            let first = chunk.first().map(|(k, _)| k.clone()).unwrap_or_default();
            let last = chunk.last().map(|(k, _)| k.clone()).unwrap_or_default();
            (first, last)
        })
        .collect();
    for at in 1..ranges.len() {
        let (before_to, after_from) = (&ranges[at - 1].1, &ranges[at].0);
        let common = after_from
            .chars()
            .zip(before_to.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let to: String = before_to.chars().take(common + 1).collect();
        let from: String = after_from.chars().take(common + 1).collect();
        if to >= ranges[at - 1].0 {
            ranges[at - 1].1 = to;
        }
        ranges[at].0 = from;
    }
    ranges
}

fn encode_chunk(chunk: &[(String, TermPostings)], renumber: &[u16]) -> Vec<u8> {
    let mut writer = cbor::Writer::default();
    let postings_of = |writer: &mut cbor::Writer, list: &PostingList| {
        writer.array(list.count);
        let mut last_page = 0;
        for posting in list.iter() {
            writer.array(3);
            writer.unsigned(u64::from(posting.page - last_page));
            last_page = posting.page;
            writer.signed_array(&posting.locations);
            writer.signed_array(&meta_locations(&posting.meta, renumber));
        }
    };
    writer.array(1);
    writer.array(chunk.len());
    for (key, postings) in chunk {
        writer.array(3);
        writer.text(key);
        postings_of(&mut writer, &postings.plain);
        writer.array(postings.accented.len());
        for (form, list) in &postings.accented {
            writer.array(2);
            writer.text(form);
            postings_of(&mut writer, list);
        }
    }
    writer.bytes
}

/// The pages in the order of a sort key's values: by number when every value is one, else by
/// text.
fn sort_order(values: &[(String, u32)]) -> Vec<u32> {
    let number = |value: &str| {
        value
            .parse::<i32>()
            .map(|n| n as f32)
            .or_else(|_| value.parse::<f32>())
            .ok()
    };
    let mut values = values.to_vec();
    if values.iter().all(|(value, _)| number(value).is_some()) {
        values.sort_by(|a, b| {
            let (a, b) = (number(&a.0).unwrap_or(0.0), number(&b.0).unwrap_or(0.0));
            a.total_cmp(&b)
        });
    } else {
        values.sort_by(|a, b| a.0.cmp(&b.0));
    }
    values.into_iter().map(|(_, page)| page).collect()
}

/// `<lang>_` and the first seven hex digits of the content's hash, two more at a time while
/// another file of the same kind has the name.
fn short_name(code: &str, bytes: &[u8], taken: &HashSet<String>) -> String {
    let full = format!("{code}_{}", hex_sha1(bytes));
    let mut length = code.len() + 8;
    while length < full.len() && taken.contains(&full[..length]) {
        length += 2;
    }
    full[..length.min(full.len())].to_string()
}

/// SHA-1 in hex, each byte without its leading zero (`0a` is written `a`), as Pagefind names
/// its files.
pub fn hex_sha1(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(40);
    for byte in Sha1::digest(bytes) {
        if byte >= 0x10 {
            hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        }
        hex.push(char::from(DIGITS[usize::from(byte & 0xF)]));
    }
    hex
}

/// Gzip, after the signature the client checks for.
///
/// At level 5 rather than Pagefind's best (9): zlib-rs compresses levels 4 to 6 with its
/// "medium" strategy. On the 2,000-document benchmark corpus's bundle (68.7 MB of fragments and
/// 13.1 MB of index chunks, once decompressed) level 9 took 1.64 s for 21.68 MB, level 6
/// 0.91 s for 21.57 MB, level 5 0.76 s for 21.63 MB and level 4 0.72 s for 21.78 MB: level 5 is
/// the fastest whose files are still no larger than Pagefind's own.
///
/// A fresh encoder per file: a deflate stream reused across files (reset in between) saves
/// clearing its tables, about 0.5 % of the build's CPU, but zlib-rs's reset keeps the old
/// window, and some index files then came out different (same content, other bytes) depending
/// on which files the thread had compressed before.
pub fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::new(5));
    // Writing to a vector cannot fail.
    let _ = encoder.write_all(b"pagefind_dcd");
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // Every control character, quotes, backslashes and multi-byte characters, at every
        // place around the sixteen-byte blocks the escaper reads.
        let pieces = [
            "a", " ", "\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{0}", "\u{1f}", "\u{7f}",
            "é", "’", "«\u{a0}", "日本", "\u{200b}", "/", "<",
        ];
        let mut random = crate::test_random::Xorshift(0x5eed_1a50);
        for _ in 0..3000 {
            let text = random.text(&pieces, 60);
            let mut ours = String::new();
            json_string(&text, &mut ours);
            assert_eq!(ours, serde_json::to_string(&text).unwrap(), "{text:?}");
        }
        for byte in 0..0x20u8 {
            let text = char::from(byte).to_string();
            let mut ours = String::new();
            json_string(&text, &mut ours);
            assert_eq!(ours, serde_json::to_string(&text).unwrap());
        }
    }

    #[test]
    fn fragments_are_written_as_serde_json_writes_them() {
        let filters = BTreeMap::from([("topic".to_string(), vec!["a \"b\"".to_string()])]);
        let meta = BTreeMap::from([
            ("lang".to_string(), "fr".to_string()),
            ("title".to_string(), "L’été\t«\u{a0}ici\u{a0}»".to_string()),
        ]);
        let anchors = [Anchor {
            element: "h2".into(),
            id: "r\u{e9}sum\u{e9}".into(),
            text: "Résumé \\ fin".into(),
            title: None,
            location: 3,
        }];
        for (filters, anchors) in [(&filters, &anchors[..]), (&BTreeMap::new(), &[][..])] {
            let fragment = Fragment {
                url: "/fr/a\"b/",
                content: "Texte\u{1}\n « cité » \\ fin",
                word_count: 12,
                filters,
                meta: &meta,
                anchors,
            };
            assert_eq!(
                fragment.to_json(),
                serde_json::to_string(&fragment).unwrap()
            );
        }
    }

    #[test]
    fn hashes_are_written_as_pagefind_names_files() {
        // SHA-1 of "abc": a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d, each byte without its
        // leading zero.
        assert_eq!(hex_sha1(b"abc"), "a9993e36476816aba3e25717850c26c9cd0d89d");
        let mut expected = String::new();
        for byte in Sha1::digest(b"pagefind") {
            expected.push_str(&format!("{byte:x}"));
        }
        assert_eq!(hex_sha1(b"pagefind"), expected);
    }

    #[test]
    fn locations_switch_weight_with_an_absolute_position() {
        let at = |position, weight| Occurrence {
            position,
            weight,
            accented: None,
        };
        assert_eq!(locations(&mut [at(3, 24), at(9, 24)]), [-25, 3, 6]);
        assert_eq!(
            locations(&mut [at(9, 24), at(2, 144), at(3, 24)]),
            [-25, 3, 6, -145, 2]
        );
    }

    #[test]
    fn chunk_ranges_are_cut_to_telling_prefixes() {
        let chunk = |keys: &[&str]| {
            keys.iter()
                .map(|k| (k.to_string(), TermPostings::default()))
                .collect::<Vec<_>>()
        };
        let ranges = chunk_ranges(&[
            chunk(&["apple"]),
            chunk(&["apricot", "banana"]),
            chunk(&["peach"]),
        ]);
        assert_eq!(
            ranges,
            [
                ("apple".into(), "apple".into()),
                ("apr".into(), "b".into()),
                ("p".into(), "peach".into())
            ]
        );
    }

    #[test]
    fn packed_postings_come_back_as_they_went_in() {
        let postings = [
            Posting {
                page: 3,
                locations: vec![-25, 0, 1, -145, 70_000],
                meta: vec![(0, 2), (1, 0)],
            },
            Posting {
                page: 900,
                locations: vec![i32::MIN + 1, i32::MAX],
                meta: vec![],
            },
        ];
        let mut list = PostingList::default();
        for posting in &postings {
            list.push(posting);
        }
        let back: Vec<Posting> = list.iter().collect();
        assert_eq!(list.count, 2);
        assert_eq!(back.len(), 2);
        for (a, b) in back.iter().zip(&postings) {
            assert_eq!(
                (a.page, &a.locations, &a.meta),
                (b.page, &b.locations, &b.meta)
            );
        }
    }

    #[test]
    fn hashes_drop_leading_zeros_of_bytes() {
        // SHA-1 of "abc" is a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d.
        assert_eq!(hex_sha1(b"abc"), "a9993e36476816aba3e25717850c26c9cd0d89d");
    }
}
