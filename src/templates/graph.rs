//! How a theme's templates use each other, read before Tera compiles them.
//!
//! Tera follows `{% include %}` and `{% extends %}` recursively, so a chain thousands of
//! templates long would overflow the stack, and it reports a missing include without the place
//! that names it. This module reads the references itself, with an explicit stack, and stops
//! the build with the whole chain shown when templates refer to a missing template, to each
//! other in a loop, or deeper than [`MAX_DEPTH`]. It also reads which components call which,
//! to show the chain when Tera stops a component that calls itself without end.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{did_you_mean, line_col, Diagnostic};
use crate::templates::engine::TemplateFiles;

/// The longest chain of includes and extends a page may go through. Real themes use three or
/// four; the limit is far below what would strain the stack.
pub const MAX_DEPTH: usize = 32;

/// How one template uses another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Include,
    Extends,
    /// `include_cached(name="target", …)`, see [`crate::templates::partials`].
    IncludeCached,
}

impl Use {
    fn verb(self) -> &'static str {
        match self {
            Use::Include => "include",
            Use::Extends => "extends",
            Use::IncludeCached => "include_cached",
        }
    }

    /// The reference as the template writes it.
    fn written(self, target: &str) -> String {
        match self {
            Use::IncludeCached => format!("`{}(name=\"{target}\")`", self.verb()),
            _ => format!("`{{% {} \"{target}\" %}}`", self.verb()),
        }
    }
}

/// `{% include "target" %}` or `{% extends "target" %}` at a place in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub kind: Use,
    pub target: String,
    pub line: usize,
    pub column: usize,
}

/// A `{% component name(…) %}` definition and the components its body calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    pub template: String,
    pub line: usize,
    pub calls: BTreeSet<String>,
}

/// Every `{% … %}` tag's inside, trimmed of whitespace-control marks, with its byte offset.
fn statement_tags(source: &str) -> Vec<(usize, &str)> {
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(start) = source[from..].find("{%") {
        let open = from + start;
        let inner_start = open + 2;
        let Some(len) = source[inner_start..].find("%}") else {
            break;
        };
        let inner = source[inner_start..inner_start + len]
            .trim_start_matches(['-', '+', '~'])
            .trim_end_matches(['-', '+', '~'])
            .trim();
        tags.push((open, inner));
        from = inner_start + len + 2;
    }
    tags
}

/// The string literal that starts `text` (`"base.html" …`), without its quotes.
fn leading_string(text: &str) -> Option<&str> {
    let quote = text
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let rest = &text[1..];
    rest.find(quote).map(|end| &rest[..end])
}

/// The include and extends tags of one template, in order, then its `include_cached` calls
/// whose name is written out.
pub fn references(source: &str) -> Vec<Reference> {
    let mut found: Vec<Reference> = statement_tags(source)
        .into_iter()
        .filter_map(|(offset, inner)| {
            let (word, rest) = inner.split_once(char::is_whitespace)?;
            let kind = match word {
                "include" => Use::Include,
                "extends" => Use::Extends,
                _ => return None,
            };
            let target = leading_string(rest.trim_start())?;
            let (line, column) = line_col(source, offset);
            Some(Reference {
                kind,
                target: target.to_string(),
                line,
                column,
            })
        })
        .collect();
    found.extend(cached_includes(source));
    found
}

/// `include_cached(name="target", …)` calls whose name is a string literal; a name held in a
/// variable is checked when the page renders (and a partial that includes itself through one
/// is stopped there, see [`crate::templates::partials`]).
fn cached_includes(source: &str) -> Vec<Reference> {
    let call = format!("{}(", crate::templates::partials::FUNCTION);
    source
        .match_indices(&call)
        .filter(|(offset, _)| {
            // Not the end of a longer name (`my_include_cached(`).
            !source[..*offset]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .filter_map(|(offset, _)| {
            let arguments = source[offset + call.len()..].trim_start();
            let value = arguments.strip_prefix("name")?.trim_start();
            let target = leading_string(value.strip_prefix('=')?.trim_start())?;
            let (line, column) = line_col(source, offset);
            Some(Reference {
                kind: Use::IncludeCached,
                target: target.to_string(),
                line,
                column,
            })
        })
        .collect()
}

/// Names of components called in `text`: `{{ <name … /> }}` and `{% <name …> %}`.
fn component_calls(text: &str) -> BTreeSet<String> {
    let mut calls = BTreeSet::new();
    for opener in ["{{", "{%"] {
        for (i, _) in text.match_indices(opener) {
            let after = text[i + 2..]
                .trim_start_matches(['-', '+', '~'])
                .trim_start();
            if let Some(call) = after.strip_prefix('<') {
                let name: String = call
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
                    .collect();
                if !name.is_empty() {
                    calls.insert(name);
                }
            }
        }
    }
    calls
}

/// The components a template defines, and the components called outside them.
fn components(template: &str, source: &str) -> (Vec<Component>, BTreeSet<String>) {
    let mut defined = Vec::new();
    let mut outside = String::new();
    let mut rest_from = 0;
    for (offset, inner) in statement_tags(source) {
        if offset < rest_from {
            continue;
        }
        let Some(signature) = inner.strip_prefix("component ") else {
            continue;
        };
        let name: String = signature
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
            .collect();
        let body_start = source[offset..]
            .find("%}")
            .map_or(source.len(), |e| offset + e + 2);
        let end = source[body_start..]
            .find("endcomponent")
            .map_or(source.len(), |e| body_start + e);
        outside.push_str(&source[rest_from..offset]);
        let (line, _) = line_col(source, offset);
        defined.push(Component {
            name,
            template: template.to_string(),
            line,
            calls: component_calls(&source[body_start..end]),
        });
        rest_from = end;
    }
    outside.push_str(&source[rest_from.min(source.len())..]);
    (defined, component_calls(&outside))
}

/// Checks the references between templates: every target exists, no loops, no chain deeper
/// than [`MAX_DEPTH`]. Returns the problems found, each at the tag that causes it.
pub fn check(sources: &BTreeMap<String, String>, files: &TemplateFiles) -> Vec<Diagnostic> {
    let graph: BTreeMap<&str, Vec<Reference>> = sources
        .iter()
        .map(|(name, source)| (name.as_str(), references(source)))
        .collect();
    let mut problems = Vec::new();
    for (name, refs) in &graph {
        for r in refs {
            if !sources.contains_key(&r.target) {
                // Compared without the shared `.html`, which would make any two names look alike.
                let stem = |n: &str| n.strip_suffix(".html").unwrap_or(n).to_string();
                let stems: Vec<String> = sources.keys().map(|n| stem(n)).collect();
                let close = did_you_mean(&stem(&r.target), stems.iter().map(String::as_str))
                    .and_then(|c| sources.keys().find(|n| stem(n) == c));
                let hint = match close {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!(
                        "create templates/{} in the theme, or fix the name",
                        r.target
                    ),
                };
                problems.push(
                    Diagnostic::error(format!(
                        "{}: there is no template `{}`",
                        r.kind.written(&r.target),
                        r.target
                    ))
                    .in_file(files.file_of(name))
                    .at(r.line, r.column)
                    .hint(hint),
                );
            }
        }
    }
    // Depth-first from every template, with an explicit stack of (template, next reference).
    // A template whose whole subtree was checked is `done` and never walked again.
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
    let mut too_deep_reported = false;
    for start in graph.keys() {
        if too_deep_reported {
            break;
        }
        if done.contains(start) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some(&mut (current, ref mut next)) = stack.last_mut() {
            let refs = &graph[current];
            let Some(r) = refs.get(*next) else {
                done.insert(current);
                stack.pop();
                continue;
            };
            *next += 1;
            let target = r.target.as_str();
            if !graph.contains_key(target) || done.contains(target) {
                continue;
            }
            let chain: Vec<&str> = stack.iter().map(|(t, _)| *t).collect();
            if let Some(at) = chain.iter().position(|t| *t == target) {
                let mut cycle: Vec<&str> = chain[at..].to_vec();
                cycle.push(target);
                let mut key = cycle[..cycle.len() - 1].to_vec();
                key.sort_unstable();
                if reported.insert(key) {
                    problems.push(chain_error(
                        format!(
                            "templates use each other in a loop: {}",
                            describe(&cycle, &graph)
                        ),
                        current,
                        r,
                        files,
                        "break the loop: remove one `{% include %}` or `{% extends %}` of the chain",
                    ));
                }
                continue;
            }
            if stack.len() >= MAX_DEPTH {
                let mut long = chain.clone();
                long.push(target);
                problems.push(chain_error(
                    format!(
                        "templates include or extend each other more than {MAX_DEPTH} deep: {}",
                        describe(&long, &graph)
                    ),
                    current,
                    r,
                    files,
                    "merge some of these templates: intercite stops at this depth so that rendering cannot run out of stack",
                ));
                // One such chain is enough to act on; the others share most of it.
                too_deep_reported = true;
                break;
            }
            stack.push((target, 0));
        }
    }
    problems
}

/// `a.html →include b.html →extends c.html`; a chain longer than ten shows its first and
/// last four links around a count of those left out.
fn describe(chain: &[&str], graph: &BTreeMap<&str, Vec<Reference>>) -> String {
    let mut text = chain[0].to_string();
    let links: Vec<String> = chain
        .windows(2)
        .map(|pair| {
            let how = graph[pair[0]]
                .iter()
                .find(|r| r.target == pair[1])
                .map_or("include", |r| r.kind.verb());
            format!(" →{how} {}", pair[1])
        })
        .collect();
    if links.len() > 10 {
        text.push_str(&links[..4].concat());
        text.push_str(&format!(" → … {} more …", links.len() - 8));
        text.push_str(&links[links.len() - 4..].concat());
    } else {
        text.push_str(&links.concat());
    }
    text
}

fn chain_error(
    message: String,
    template: &str,
    at: &Reference,
    files: &TemplateFiles,
    hint: &str,
) -> Diagnostic {
    Diagnostic::error(message)
        .in_file(files.file_of(template))
        .at(at.line, at.column)
        .hint(hint)
}

/// When Tera stops a component that calls itself without end: the chain from `template`
/// through the components it calls back to the first component repeated, e.g.
/// `page.html → <tree> → <branch> → <tree>`, with where each component is defined.
pub fn component_loop(template: &str, sources: &BTreeMap<String, String>) -> Option<String> {
    let mut defined: BTreeMap<String, Component> = BTreeMap::new();
    let mut used_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, source) in sources {
        let (components, outside) = components(name, source);
        for c in components {
            defined.entry(c.name.clone()).or_insert(c);
        }
        used_by.insert(name.clone(), outside);
    }
    // The templates this page renders through: itself and what it includes or extends.
    let mut reached = BTreeSet::new();
    let mut todo = vec![template.to_string()];
    while let Some(t) = todo.pop() {
        if reached.len() > sources.len() || !reached.insert(t.clone()) {
            continue;
        }
        if let Some(source) = sources.get(&t) {
            todo.extend(references(source).into_iter().map(|r| r.target));
        }
    }
    for start_template in &reached {
        for first in used_by.get(start_template).into_iter().flatten() {
            // Depth-first over component calls with an explicit path.
            let mut path: Vec<(String, Vec<String>)> = Vec::new();
            let calls_of = |name: &str| -> Vec<String> {
                defined
                    .get(name)
                    .map(|c| c.calls.iter().cloned().collect())
                    .unwrap_or_default()
            };
            path.push((first.clone(), calls_of(first)));
            let mut seen = BTreeSet::new();
            while let Some((_, pending)) = path.last_mut() {
                let Some(next) = pending.pop() else {
                    path.pop();
                    continue;
                };
                if let Some(at) = path.iter().position(|(n, _)| *n == next) {
                    let mut text = start_template.clone();
                    for (name, _) in &path {
                        text.push_str(&format!(" → <{name}>"));
                    }
                    text.push_str(&format!(" → <{next}> …"));
                    let places: Vec<String> = path[at..]
                        .iter()
                        .filter_map(|(n, _)| defined.get(n))
                        .map(|c| {
                            format!("<{}> is defined in {} line {}", c.name, c.template, c.line)
                        })
                        .collect();
                    return Some(format!("{text} ({})", places.join("; ")));
                }
                if seen.insert(next.clone()) {
                    let calls = calls_of(&next);
                    path.push((next, calls));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect()
    }

    #[test]
    fn reads_includes_and_extends_with_their_places() {
        let refs = references("{% extends \"base.html\" %}\n{%- include 'nav.html' -%}\n{{ x }}");
        assert_eq!(
            refs,
            vec![
                Reference {
                    kind: Use::Extends,
                    target: "base.html".into(),
                    line: 1,
                    column: 1
                },
                Reference {
                    kind: Use::Include,
                    target: "nav.html".into(),
                    line: 2,
                    column: 1
                },
            ]
        );
    }

    #[test]
    fn missing_templates_loops_and_long_chains_are_reported_with_the_chain() {
        let files = TemplateFiles::default();
        let missing = check(
            &sources(&[
                ("page.html", "x\n  {% include \"nav.htm\" %}"),
                ("nav.html", ""),
            ]),
            &files,
        );
        assert_eq!(missing.len(), 1);
        assert_eq!(
            missing[0].message,
            "`{% include \"nav.htm\" %}`: there is no template `nav.htm`"
        );
        assert_eq!((missing[0].line, missing[0].column), (2, 3));

        let looped = check(
            &sources(&[
                ("a.html", "{% include \"b.html\" %}"),
                ("b.html", "{% extends \"a.html\" %}"),
            ]),
            &files,
        );
        assert_eq!(looped.len(), 1, "{looped:?}");
        assert_eq!(
            looped[0].message,
            "templates use each other in a loop: a.html →include b.html →extends a.html"
        );

        let mut chain: Vec<(String, String)> = (0..3000)
            .map(|i| {
                (
                    format!("c{i}.html"),
                    format!("{{% include \"c{}.html\" %}}", i + 1),
                )
            })
            .collect();
        chain.push(("c3000.html".into(), "end".into()));
        let long = check(&chain.into_iter().collect(), &files);
        assert_eq!(long.len(), 1, "{long:?}");
        assert!(long[0].message.starts_with(
            "templates include or extend each other more than 32 deep: c0.html →include c1.html"
        ));
    }

    #[test]
    fn cached_includes_with_a_written_name_are_checked_like_includes() {
        let refs = references(
            "<ul>\n{% for i in items %}{{ include_cached(name=\"card.html\", item=i) }}{% endfor %}\n{{ include_cached( name = 'row.html') }}{{ my_include_cached(name=\"x.html\") }}{{ include_cached(name=n) }}",
        );
        assert_eq!(
            refs,
            vec![
                Reference {
                    kind: Use::IncludeCached,
                    target: "card.html".into(),
                    line: 2,
                    column: 24
                },
                Reference {
                    kind: Use::IncludeCached,
                    target: "row.html".into(),
                    line: 3,
                    column: 4
                },
            ]
        );

        let files = TemplateFiles::default();
        let missing = check(
            &sources(&[
                (
                    "list.html",
                    "{{ include_cached(name=\"crad.html\", item=i) }}",
                ),
                ("card.html", ""),
            ]),
            &files,
        );
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(
            missing[0].message,
            "`include_cached(name=\"crad.html\")`: there is no template `crad.html`"
        );
        assert_eq!(
            missing[0].hint.as_deref(),
            Some("did you mean `card.html`?")
        );

        let looped = check(
            &sources(&[
                ("a.html", "{{ include_cached(name=\"b.html\") }}"),
                ("b.html", "{% include \"a.html\" %}"),
            ]),
            &files,
        );
        assert_eq!(looped.len(), 1, "{looped:?}");
        assert_eq!(
            looped[0].message,
            "templates use each other in a loop: a.html →include_cached b.html →include a.html"
        );
    }

    #[test]
    fn finds_the_component_loop_behind_a_recursion_error() {
        let s = sources(&[
            (
                "components.html",
                "{% component tree(n: integer) %}{{ <branch n={n} /> }}{% endcomponent tree %}\n{% component branch(n: integer) %}{% <tree n={n}> %}{% </tree> %}{% endcomponent branch %}",
            ),
            ("page.html", "{% include \"body.html\" %}"),
            ("body.html", "{{ <tree n={1} /> }}"),
        ]);
        let chain = component_loop("page.html", &s).expect("a loop");
        assert!(
            chain.starts_with("body.html → <tree> → <branch> → <tree> …"),
            "{chain}"
        );
        assert!(
            chain.contains("<tree> is defined in components.html line 1"),
            "{chain}"
        );
        assert!(
            chain.contains("<branch> is defined in components.html line 2"),
            "{chain}"
        );
    }
}
