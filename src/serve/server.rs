//! The HTTP side of `serve` (axum on tokio): site files from memory, the live-reload script and
//! event stream, and the checks that keep other web pages and other hosts out.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

use super::files::{content_type, Lookup};
use super::live;
use super::{LiveEvent, LiveState};
use crate::diagnostics::Diagnostic;

/// Serves until Ctrl-C.
pub async fn serve(
    listener: std::net::TcpListener,
    state: Arc<LiveState>,
) -> Result<(), Diagnostic> {
    listener
        .set_nonblocking(true)
        .map_err(|e| Diagnostic::error(format!("cannot use the socket: {e}")))?;
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| Diagnostic::error(format!("cannot use the socket: {e}")))?;
    let app = Router::new().fallback(handle).with_state(state);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Diagnostic::error(format!("the server stopped: {e}")))
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

fn is_loopback(interface: &str) -> bool {
    matches!(interface, "127.0.0.1" | "localhost" | "::1" | "[::1]")
        || interface.starts_with("127.")
}

async fn handle(State(state): State<Arc<LiveState>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    }
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    // RFC 9112 §3.2: an HTTP/1.1 request without Host gets 400 (HTTP/1.0 clients may omit it).
    if host.is_none() && request.version() == axum::http::Version::HTTP_11 {
        return plain(StatusCode::BAD_REQUEST, "missing Host header\n");
    }
    let host_ok = host.is_some_and(|h| live::host_allowed(h, &state.interface, state.port));
    // Bound to loopback, only this machine's own names may be used (no DNS rebinding).
    if is_loopback(&state.interface) && host.is_some() && !host_ok {
        return plain(StatusCode::FORBIDDEN, "unknown Host\n");
    }
    let path = request.uri().path().to_string();
    if path == live::EVENTS_PATH {
        return events(&state, headers, host_ok);
    }
    if path == live::SCRIPT_PATH {
        return (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            live::SCRIPT,
        )
            .into_response();
    }
    if path.starts_with(live::PREFIX) {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    }
    let files = state
        .files
        .read()
        .map(|f| Arc::clone(&f))
        .unwrap_or_default();
    let overlay = state.overlay.read().ok().and_then(|o| o.clone());
    let (status, file) = match files.lookup(&path) {
        Lookup::File(file) => (StatusCode::OK, file),
        Lookup::Redirect(location) => {
            let mut response = plain(StatusCode::MOVED_PERMANENTLY, "moved\n");
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            return response;
        }
        Lookup::BadRequest => return plain(StatusCode::BAD_REQUEST, "bad path\n"),
        Lookup::NotFound => (StatusCode::NOT_FOUND, "404.html".to_string()),
    };
    let Some(bytes) = files.get(&file) else {
        return match overlay {
            // The first build failed: there is no site yet, only the errors.
            Some(overlay) => html_response(
                StatusCode::SERVICE_UNAVAILABLE,
                live::inject(
                    b"<!doctype html><title>intercite</title><body></body>",
                    Some(&overlay),
                ),
            ),
            None => plain(StatusCode::NOT_FOUND, "not found\n"),
        };
    };
    let kind = content_type(&file);
    if kind.starts_with("text/html") {
        return html_response(status, live::inject(&bytes, overlay.as_deref()));
    }
    let mut response = Response::new(Body::from(bytes.as_ref().clone()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn html_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The reload channel: only for this server's own pages (Host and Origin checked).
fn events(state: &LiveState, headers: &HeaderMap, host_ok: bool) -> Response {
    let origin_ok = match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        None => true,
        Some(Ok(origin)) => live::origin_allowed(origin, &state.interface, state.port),
        Some(Err(_)) => false,
    };
    if !host_ok || !origin_ok {
        return plain(
            StatusCode::FORBIDDEN,
            "the reload channel is only for pages of this server\n",
        );
    }
    let stream = BroadcastStream::new(state.events.subscribe()).filter_map(|event| {
        let event = event.ok()?;
        let sse = match event {
            LiveEvent::Reload(paths) => Event::default().event("reload").data(paths),
            LiveEvent::Failed(overlay) => Event::default().event("failed").data(overlay),
            LiveEvent::Fixed => Event::default().event("fixed").data("ok"),
        };
        Some(Ok::<Event, Infallible>(sse))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
