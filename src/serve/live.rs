//! Live reload and the error overlay: the script injected into served pages, the overlay shown
//! while the last rebuild failed, and the rules for who may listen to reload events.

use crate::diagnostics::Diagnostic;
use crate::markdown::escape_text;

/// Path prefix of intercite's own endpoints; no site file can live there (`_` paths are ours).
pub const PREFIX: &str = "/__intercite/";
pub const EVENTS_PATH: &str = "/__intercite/events";
pub const SCRIPT_PATH: &str = "/__intercite/live.js";

/// The client: listens to the event stream; reloads when the page it shows changed (or a
/// stylesheet or script did), shows the overlay when a rebuild fails and removes it when fixed.
pub const SCRIPT: &str = r#"(function () {
  "use strict";
  var here = decodeURIComponent(location.pathname);
  function pageFile(path) {
    return path.replace(/^\//, "").replace(/\/$/, "/index.html").replace(/^$/, "index.html");
  }
  function showOverlay(html) {
    var overlay = document.getElementById("intercite-overlay");
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "intercite-overlay";
      document.body.appendChild(overlay);
    }
    overlay.innerHTML = html;
  }
  function hideOverlay() {
    var overlay = document.getElementById("intercite-overlay");
    if (overlay) overlay.remove();
  }
  var source = new EventSource("/__intercite/events");
  source.addEventListener("reload", function (event) {
    var changed = JSON.parse(event.data);
    var mine = pageFile(here);
    var reload = changed.some(function (path) {
      return path === mine || /\.(css|js)$/.test(path);
    });
    if (reload) location.reload();
  });
  source.addEventListener("failed", function (event) { showOverlay(event.data); });
  source.addEventListener("fixed", function () { hideOverlay(); location.reload(); });
})();
"#;

/// The overlay listing a failed rebuild's errors (file:line:col, message, hint).
pub fn overlay_html(errors: &[Diagnostic]) -> String {
    let mut html = String::from(
        "<div role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#fff;font:15px/1.5 ui-monospace,monospace;padding:2rem\">\
         <p style=\"font-size:1.3rem;margin:0 0 1rem\"><strong>intercite: the last change broke the build.</strong> This is the last good version of the page; fix the error and it reloads.</p><ul style=\"padding:0;list-style:none\">",
    );
    for error in errors.iter().filter(|d| d.is_error()).take(50) {
        html.push_str(
            "<li style=\"margin:0 0 1rem;padding:0 0 1rem;border-bottom:1px solid #555\">",
        );
        if let Some(location) = error.location() {
            html.push_str(&format!(
                "<div style=\"color:#ffb3b3\">{}</div>",
                escape_text(&location)
            ));
        }
        html.push_str(&format!("<div>{}</div>", escape_text(&error.message)));
        if let Some(hint) = &error.hint {
            html.push_str(&format!(
                "<div style=\"color:#b3d9ff\">help: {}</div>",
                escape_text(hint)
            ));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul></div>");
    html
}

/// Adds the live-reload script (and the overlay, while the build is broken) to an HTML page.
pub fn inject(page: &[u8], overlay: Option<&str>) -> Vec<u8> {
    let mut extra = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    if let Some(overlay) = overlay {
        extra.push_str(&format!("<div id=\"intercite-overlay\">{overlay}</div>"));
    }
    let text = String::from_utf8_lossy(page);
    match text.rfind("</body>") {
        Some(i) => format!("{}{extra}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{extra}").into_bytes(),
    }
}

/// Whether a `Host` header names this server: a loopback name or the interface it listens on,
/// with or without the port. Checked on the reload channel (and on every request when bound to
/// loopback) so that a web page elsewhere cannot reach it through DNS rebinding.
pub fn host_allowed(host: &str, interface: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let name = match host.strip_suffix(&format!(":{port}")) {
        Some(name) => name.to_string(),
        None if host.starts_with('[') || !host.contains(':') => host.clone(),
        None => return false,
    };
    matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]")
        || name == interface.to_ascii_lowercase()
}

/// Whether an `Origin` header is this server itself (`http://<allowed host>`).
pub fn origin_allowed(origin: &str, interface: &str, port: u16) -> bool {
    origin
        .strip_prefix("http://")
        .is_some_and(|host| host_allowed(host, interface, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert!(host_allowed("127.0.0.1:1111", "127.0.0.1", 1111));
        assert!(host_allowed("localhost:1111", "127.0.0.1", 1111));
        assert!(host_allowed("localhost", "127.0.0.1", 1111));
        assert!(!host_allowed("evil.example:1111", "127.0.0.1", 1111));
        assert!(!host_allowed("localhost:2222", "127.0.0.1", 1111));
        assert!(origin_allowed("http://localhost:1111", "127.0.0.1", 1111));
        assert!(!origin_allowed("http://evil.example", "127.0.0.1", 1111));
        assert!(!origin_allowed("null", "127.0.0.1", 1111));
    }

    #[test]
    fn injects_before_body_end() {
        let page = inject(b"<html><body><p>x</p></body></html>", Some("<b>e</b>"));
        let page = String::from_utf8(page).unwrap();
        assert!(page.ends_with("<script src=\"/__intercite/live.js\"></script><div id=\"intercite-overlay\"><b>e</b></div></body></html>"));
    }

    #[test]
    fn overlay_names_the_place_and_escapes() {
        let d = Diagnostic::error("bad <tag>")
            .in_file("themes/icc/templates/page.html")
            .at(3, 5)
            .hint("fix it");
        let html = overlay_html(&[d]);
        assert!(html.contains("themes/icc/templates/page.html:3:5"));
        assert!(html.contains("bad &lt;tag&gt;"));
        assert!(html.contains("help: fix it"));
    }
}
