//! `intercite serve` over real HTTP on loopback: pages are served, edits reach them, traversal
//! and foreign hosts are refused, a broken template shows the overlay until it is fixed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::Fixture;

/// A running `intercite serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    log: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    fn start(site: &Fixture, args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("intercite"))
            .arg("serve")
            .args(args)
            .arg("--root")
            .arg(site.root())
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sender, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            log,
        };
        let line = server.wait_for("Serving the site at http://127.0.0.1:");
        let port = line.rsplit(':').next().unwrap().split('/').next().unwrap();
        server.port = port.parse().unwrap();
        server
    }

    /// Waits (10 s at most) for a log line containing `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("serve never said {text:?}");
    }

    fn get(&self, path: &str) -> (u16, String) {
        raw_request(
            self.port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                self.port
            ),
        )
    }

    /// Polls `path` until its body contains `text` (10 s at most); returns how long it took.
    fn wait_until_served(&self, path: &str, text: &str, present: bool) -> Duration {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if self.get(path).1.contains(text) == present {
                return started.elapsed();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{path} never {} {text:?}",
            if present { "showed" } else { "lost" }
        );
    }
}

/// Sends raw bytes, returns (status, whole response).
fn raw_request(port: u16, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[test]
fn serves_pages_with_the_live_reload_script() {
    let site = Fixture::new("basic");
    let port = free_port();
    let server = Server::start(&site, &["--port", &port.to_string()]);
    assert_eq!(server.port, port);
    let (status, response) = server.get("/fr/meetings/2016-reykjavik/");
    assert_eq!(status, 200);
    assert!(
        response.contains("content-type: text/html; charset=utf-8"),
        "{response}"
    );
    assert!(response.contains("<h1>Réunion annuelle 2016</h1>"));
    assert!(response.contains("<script src=\"/__intercite/live.js\"></script></body>"));
    let (status, response) = server.get("/meetings/2016-reykjavik/agenda.pdf");
    assert_eq!(status, 200);
    assert!(response.contains("content-type: application/pdf"));
    assert_eq!(server.get("/fr/meetings").0, 301);
    let (status, response) = server.get("/fr/nowhere/");
    assert_eq!(status, 404);
    assert!(response.contains("Page not found"));
    assert!(
        !site.public().exists(),
        "serve never writes the output folder"
    );
}

#[test]
fn answers_on_loopback_127_0_0_1_only() {
    let site = Fixture::new("basic");
    let server = Server::start(&site, &["--port", &free_port().to_string()]);
    assert_eq!(server.get("/fr/").0, 200);
    // Bound to 127.0.0.1, not to every address: another loopback address is refused.
    assert!(TcpStream::connect(("127.0.0.2", server.port)).is_err());
}

#[test]
fn an_edit_reaches_the_served_page_within_seconds() {
    let site = Fixture::new("basic");
    let server = Server::start(&site, &["--port", &free_port().to_string()]);
    server.wait_for("Watching");
    let page = "/fr/news/launch/";
    assert!(!server.get(page).1.contains("Texte modifié"));
    let search_hash = |lang: &str| served_search_hash(&server, lang);
    let (fr_index, en_index) = (search_hash("fr"), search_hash("en"));
    let file = site.path("content/news/launch.fr.md");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Texte.", "Texte modifié.");
    // An editor's atomic save: write a temporary file, then rename it over the original.
    let temporary = site.path("content/news/.launch.fr.md.tmp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, &file).unwrap();
    let took = server.wait_until_served(page, "Texte modifié.", true);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // Only the text changed, so only the page was rendered again; its language's feed, which
    // carries the text, was made again with it.
    assert!(server.get("/fr/atom.xml").1.contains("Texte modifié."));
    assert!(!server.get("/en/atom.xml").1.contains("Texte modifié."));
    // The French search index is made again in the background and swapped in; the English
    // one is left alone.
    let started = Instant::now();
    while search_hash("fr") == fr_index {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the French index was never refreshed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(search_hash("en"), en_index);
    let meta = |hash: &str| server.get(&format!("/pagefind/pagefind.{hash}.pf_meta")).0;
    assert_eq!(meta(&search_hash("fr")), 200);
    assert_eq!(meta(&fr_index), 404, "the old index's files are gone");
    assert_eq!(meta(&en_index), 200);
}

/// The hash of the search index of `lang` that `server` serves now.
fn served_search_hash(server: &Server, lang: &str) -> String {
    let response = server.get("/pagefind/pagefind-entry.json").1;
    let body = response.split_once("\r\n\r\n").expect("a body").1;
    let entry: serde_json::Value = serde_json::from_str(body).expect("JSON");
    entry["languages"][lang]["hash"]
        .as_str()
        .expect("a hash")
        .to_string()
}

#[test]
fn a_template_edit_serves_its_pages_then_makes_every_language_index_again_in_the_background() {
    let site = Fixture::new("basic");
    site.write(
        "site.yaml",
        &(std::fs::read_to_string(site.path("site.yaml")).unwrap() + "theme: mine\n"),
    );
    let template = |word: &str| {
        format!(
            "{{% extends \"base.html\" %}}\n{{% block content %}}<article data-pagefind-body>\
             <h1>{{{{ page.title }}}}</h1><p>{word}</p>{{{{ page.content | safe }}}}</article>\
             {{% endblock content %}}\n"
        )
    };
    site.write("themes/mine/templates/page.html", &template("Hirondelle"));
    let server = Server::start(&site, &["--port", &free_port().to_string()]);
    server.wait_for("Watching");
    let before = served_search_hash(&server, "fr");
    site.write("themes/mine/templates/page.html", &template("Martinet"));
    server.wait_until_served("/fr/news/launch/", "Martinet", true);
    let rebuilt = server.wait_for("follows in the background");
    assert!(
        rebuilt.contains("search in en, fr, ja follows"),
        "{rebuilt}"
    );
    // The page did not wait for the index: the index of every language is made again in the
    // background, one language after the other, and swapped in (English, whose pages this
    // template does not render, comes out the same), and the old index's files go.
    let started = Instant::now();
    while served_search_hash(&server, "fr") == before {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the French index was never made again"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let meta = |hash: &str| server.get(&format!("/pagefind/pagefind.{hash}.pf_meta")).0;
    // The index served names files that are served. Read in two requests, so a later swap of
    // the same language (a save the watcher saw as two changes is rebuilt twice) may come in
    // between: then the newer index is read again.
    let served_meta = |lang: &str| loop {
        let hash = served_search_hash(&server, lang);
        let status = meta(&hash);
        if status == 200 || served_search_hash(&server, lang) == hash {
            return status;
        }
    };
    assert_eq!(served_meta("fr"), 200);
    assert_eq!(meta(&before), 404, "the old index's files are gone");
    assert_eq!(served_meta("en"), 200);
}

/// The body of a response, as the site has it: without the headers and the live-reload script
/// that `serve` adds to pages.
fn served_body(response: &str) -> String {
    let body = response.split_once("\r\n\r\n").expect("a body").1;
    body.replacen("<script src=\"/__intercite/live.js\"></script>", "", 1)
}

/// `path` with the bytes a request line cannot carry percent-encoded.
fn request_path(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_graphic() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn a_front_matter_edit_renders_only_the_pages_it_touches_and_serves_the_site_a_build_makes() {
    let site = Fixture::new("basic");
    let server = Server::start(&site, &["--port", &free_port().to_string()]);
    server.wait_for("Watching");
    let file = site.path("content/news/launch.fr.md");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("title: Lancement", "title: Lancement officiel");
    let temporary = site.path("content/news/.launch.fr.md.tmp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, &file).unwrap();
    let line = server.wait_for("Rebuilt after");
    // "… 9 pages of 38 rendered again": the page, its section's lists, its terms' pages and
    // its translations' pages; the rest are the previous build's.
    let counts: Vec<usize> = line
        .split_once(" changed, ")
        .expect("counts")
        .1
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let (rendered, pages) = (counts[0], counts[1]);
    assert!(rendered >= 3 && rendered < pages / 2, "{line}");
    for page in ["/fr/news/launch/", "/fr/news/"] {
        assert!(
            server.get(page).1.contains("Lancement officiel"),
            "{page} shows the new title"
        );
    }
    // Every file served (but the search index, made again in the background) is the file a
    // build from scratch makes (which also writes its marker, `.intercite-output`).
    let out = tempfile::tempdir().unwrap();
    let base_url = format!("http://127.0.0.1:{}", server.port);
    site.run(&["build", "-u", &base_url, "-o", out.path().to_str().unwrap()])
        .assert_success();
    let built = crate::common::snapshot(out.path());
    let mut compared = 0;
    let site_files = built
        .iter()
        .filter(|(p, _)| !p.starts_with("pagefind") && !p.starts_with('.'));
    for (path, bytes) in site_files {
        let (status, response) = server.get(&request_path(&format!("/{path}")));
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            served_body(&response),
            String::from_utf8_lossy(bytes),
            "{path} as served and as built"
        );
        compared += usize::from(path.ends_with(".html"));
    }
    assert_eq!(compared, pages);
}

#[test]
fn traversal_is_refused_in_every_encoding() {
    let site = Fixture::new("basic");
    // A file beside the site that a traversal would reach.
    let secret = site
        .root()
        .parent()
        .unwrap()
        .join(format!("secret-{}.txt", std::process::id()));
    std::fs::write(&secret, "TOP SECRET").unwrap();
    let name = secret.file_name().unwrap().to_string_lossy().into_owned();
    let server = Server::start(&site, &["--port", &free_port().to_string()]);
    for path in [
        format!("/../{name}"),
        format!("/fr/../../{name}"),
        format!("/%2e%2e/{name}"),
        format!("/..%2f{name}"),
        format!("/%2e%2e%2f%2e%2e%2f{name}"),
        format!("/%252e%252e/{name}"),
        format!("/..%5c{name}"),
        "/../../../../etc/passwd".to_string(),
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd".to_string(),
        // Upper case, overlong UTF-8, Unicode look-alikes, backslashes, NUL, doubled slashes.
        format!("/%2E%2E/{name}"),
        format!("/%c0%ae%c0%ae/{name}"),
        format!("/%e0%80%ae%e0%80%ae/{name}"),
        format!("/\u{ff0e}\u{ff0e}/{name}"),
        format!("/%ef%bc%8e%ef%bc%8e/{name}"),
        format!("/..\\{name}"),
        format!("/%5c..%5c{name}"),
        format!("/fr/%00/../../{name}"),
        format!("//..//..//{name}"),
        format!("/./.././{name}"),
        "//etc/passwd".to_string(),
        "/%2fetc%2fpasswd".to_string(),
        "/fr/%ff%fe/".to_string(),
        "/%zz/".to_string(),
    ] {
        let (status, response) = server.get(&path);
        assert_ne!(status, 200, "{path}");
        assert!(
            !response.contains("TOP SECRET") && !response.contains("root:"),
            "{path}: {response}"
        );
    }
    std::fs::remove_file(secret).unwrap();
}

#[test]
fn foreign_hosts_and_origins_are_refused_and_bad_requests_do_not_hurt() {
    let site = Fixture::new("basic");
    let server = Server::start(&site, &["--port", &free_port().to_string()]);
    let port = server.port;
    let (status, _) = raw_request(
        port,
        "GET /fr/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 403);
    let (status, _) = raw_request(port, &format!("GET /__intercite/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n"));
    assert_eq!(status, 403);
    let (status, _) = raw_request(port, &format!("POST /fr/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    assert_eq!(status, 405);
    let (status, _) = raw_request(port, "NOT HTTP AT ALL\r\n\r\n");
    assert_ne!(status, 200);
    // No Host at all, an absolute URI for another host, HTTP/0.9, a NUL in the path.
    let (status, _) = raw_request(port, "GET /fr/ HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 400);
    let (status, _) = raw_request(
        port,
        "GET http://evil.example/fr/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 403);
    let (status, _) = raw_request(port, "GET /fr/\r\n\r\n");
    assert_ne!(status, 200);
    let (status, _) = raw_request(
        port,
        &format!("GET /fr/\0/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_ne!(status, 200);
    // A 100 kB header (served or refused, but answered) and a 100 kB URL (no such page).
    let big = "a".repeat(100_000);
    let (status, _) = raw_request(
        port,
        &format!("GET /fr/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"),
    );
    assert!(matches!(status, 200 | 400 | 431), "{status}");
    let (status, _) = raw_request(
        port,
        &format!("GET /fr/{big} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_ne!(status, 200);
    // Half a request, then silence: the server must not wait on it to serve others.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET /fr/ HTTP/1.1\r\nHost: 127.").unwrap();
    assert_eq!(server.get("/fr/").0, 200, "a stalled client blocks nobody");
    drop(slow);
    // A client that reads the first bytes of a page and hangs up.
    for _ in 0..20 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .write_all(format!("GET /fr/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes())
            .unwrap();
        let mut first = [0u8; 64];
        let _ = stream.read(&mut first);
        drop(stream);
    }
    // A client that goes away in the middle of a response.
    for _ in 0..20 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let _ = stream.write_all(
            format!("GET /fr/meetings/2016-reykjavik/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
                .as_bytes(),
        );
        drop(stream);
    }
    assert_eq!(server.get("/fr/").0, 200, "still serving");
}

#[test]
fn the_reload_channel_sends_events_to_its_own_pages() {
    let site = Fixture::new("basic");
    let server = Server::start(&site, &["--port", &free_port().to_string()]);
    server.wait_for("Watching");
    let port = server.port;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(format!("GET /__intercite/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n").as_bytes())
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    site.write(
        "content/news/launch.fr.md",
        "---\ntitle: Lancement\ndate: 2023-11-14\n---\nNouveau texte.\n",
    );
    let mut received = String::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while !received.contains("event: reload") && Instant::now() < deadline {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => received.push_str(&String::from_utf8_lossy(&buffer[..n])),
        }
    }
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
    assert!(received.contains("text/event-stream"), "{received}");
    assert!(received.contains("event: reload"), "{received}");
    assert!(
        received.contains("fr/news/launch/index.html"),
        "the changed page is named: {received}"
    );
}

#[test]
fn a_broken_template_shows_the_overlay_and_the_site_recovers() {
    let site = Fixture::new("basic");
    site.write(
        "site.yaml",
        &(std::fs::read_to_string(site.path("site.yaml")).unwrap() + "theme: mine\n"),
    );
    let good = "{% extends \"base.html\" %}\n{% block content %}<article><h1>{{ page.title }}</h1>{{ page.content | safe }}</article>{% endblock content %}\n";
    site.write("themes/mine/templates/page.html", good);
    let server = Server::start(&site, &["--port", &free_port().to_string()]);
    server.wait_for("Watching");
    let page = "/fr/news/launch/";
    assert!(server.get(page).1.contains("<h1>Lancement</h1>"));
    site.write("themes/mine/templates/page.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title \n{% endblock content %}\n");
    server.wait_until_served(page, "intercite-overlay", true);
    let (_, response) = server.get(page);
    assert!(
        response.contains("themes/mine/templates/page.html:4:1"),
        "names file and line: {response}"
    );
    assert!(
        response.contains("<h1>Lancement</h1>"),
        "the last good page is still served"
    );
    site.write(
        "themes/mine/templates/page.html",
        &good.replace("<h1>", "<h1 class=fixed>"),
    );
    server.wait_until_served(page, "intercite-overlay", false);
    assert!(server
        .get(page)
        .1
        .contains("<h1 class=fixed>Lancement</h1>"));
}

#[test]
fn a_busy_explicit_port_is_an_error_and_a_busy_default_port_is_replaced() {
    let site = Fixture::new("basic");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = Command::new(assert_cmd::cargo::cargo_bin("intercite"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(site.root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("error: cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("choose another with --port"), "{stderr}");
    // The default port: taken here if it is free, so serve must move elsewhere and say so.
    let _default = TcpListener::bind("127.0.0.1:1111");
    let server = Server::start(&site, &[]);
    assert_ne!(server.port, 1111);
}
