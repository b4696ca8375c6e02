//! One workspace's index: a tantivy index in memory, written to and read from one object (a bundle
//! of the index's live files, headed by the workspace it belongs to), queried with the typo rules.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use std::ops::Bound;

use shared::domain::ids::WorkspaceId;
use shared::http::search::SearchFilters;
use shared::services::search_feed::{SearchKind, SearchTarget};
use tantivy::collector::TopDocs;
use tantivy::directory::RamDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Directory, Index, IndexWriter, TantivyDocument, Term};
use thiserror::Error;

use crate::document::{NamedField, SearchDoc, Section};
use crate::text::{self, FOLDED};

#[derive(Debug, Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The object is not an index of this workspace (truncated, another format, another tenant's).
    #[error("search index object unreadable: {0}")]
    Corrupt(String),
}

/// Writers need at least tantivy's minimum arena; one thread (a function has one or two vCPUs).
const WRITER_ARENA_BYTES: usize = 20_000_000;
const BUNDLE_MAGIC: &[u8; 8] = b"SBSRCH01";
const MANAGED_FILE: &str = ".managed.json";
const META_FILE: &str = "meta.json";

/// How much a match weighs, by where it is: a whole-value key most, then the title, then the rest.
const KEY_BOOST: f32 = 50.0;
const TITLE_BOOST: f32 = 3.0;
const BODY_BOOST: f32 = 1.0;
/// Within a field: an exact word counts its BM25 score times this, a prefix or fuzzy word a constant.
const EXACT_WORD_BOOST: f32 = 2.0;
const PREFIX_BOOST: f32 = 0.8;
const FUZZY_BOOST: f32 = 0.5;

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    title: Field,
    body: Field,
    internal: Field,
    exact: Field,
    shown: Field,
    status: Field,
    owner: Field,
    created: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let folded = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(FOLDED).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        id: builder.add_text_field("id", STRING | STORED),
        title: builder.add_text_field("title", folded.clone()),
        body: builder.add_text_field("body", folded.clone()),
        internal: builder.add_text_field("internal", folded),
        exact: builder.add_text_field("exact", STRING),
        // What a result shows: the title and named fields, as JSON.
        shown: builder.add_text_field("shown", STORED),
        // Filters: exact terms and a fast date column, never scored.
        status: builder.add_text_field("status", STRING),
        owner: builder.add_text_field("owner", STRING),
        created: builder.add_i64_field("created", INDEXED | FAST),
    };
    (builder.build(), fields)
}

fn fields_of(schema: &Schema) -> Result<Fields, IndexError> {
    let get = |name: &str| schema.get_field(name).map_err(|_| IndexError::Corrupt(format!("no field {name}")));
    Ok(Fields {
        key: get("key")?,
        kind: get("kind")?,
        id: get("id")?,
        title: get("title")?,
        body: get("body")?,
        internal: get("internal")?,
        exact: get("exact")?,
        shown: get("shown")?,
        status: get("status")?,
        owner: get("owner")?,
        created: get("created")?,
    })
}

fn doc_key(target: &SearchTarget) -> String {
    format!("{}/{}", target.kind.as_str(), target.id)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Shown {
    title: String,
    fields: Vec<NamedField>,
    keys: Vec<(String, String)>,
}

/// A workspace's index, open in memory.
pub struct WorkspaceIndex {
    workspace: WorkspaceId,
    index: Index,
    directory: RamDirectory,
    fields: Fields,
    reader: tantivy::IndexReader,
}

/// What a query asks.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    pub query: &'a str,
    pub kinds: &'a BTreeSet<SearchKind>,
    pub limit: usize,
    /// Whether internal notes are searched (members of the workspace only).
    pub internal: bool,
    pub filters: &'a SearchFilters,
}

/// The owner term of a record with nobody assigned (a member id never reads so).
const NO_OWNER: &str = "none";

/// A result: the record, its score, the field that matched and a snippet of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub target: SearchTarget,
    pub title: String,
    pub score: f32,
    pub matched_field: String,
    pub snippet: String,
    /// Byte ranges of `snippet` to highlight.
    pub highlights: Vec<(usize, usize)>,
}

impl WorkspaceIndex {
    /// An empty index for `workspace`.
    pub fn create(workspace: WorkspaceId) -> Result<Self, IndexError> {
        let (schema, fields) = schema();
        let directory = RamDirectory::create();
        let index = Index::create(directory.clone(), schema, tantivy::IndexSettings::default())?;
        Self::opened(workspace, index, directory, fields)
    }

    fn opened(
        workspace: WorkspaceId,
        index: Index,
        directory: RamDirectory,
        fields: Fields,
    ) -> Result<Self, IndexError> {
        index.tokenizers().register(FOLDED, text::analyzer());
        let reader = index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into()?;
        Ok(Self { workspace, index, directory, fields, reader })
    }

    /// Records in the index.
    pub fn records(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Puts `docs` in and takes `gone` out (a record in both is replaced), then commits and lets
    /// segment merges finish, so the object written next holds few segments.
    pub fn apply(&mut self, docs: &[SearchDoc], gone: &[SearchTarget]) -> Result<(), IndexError> {
        let mut writer: IndexWriter = self.index.writer_with_num_threads(1, WRITER_ARENA_BYTES)?;
        let f = self.fields;
        for target in gone.iter().chain(docs.iter().map(|doc| &doc.target)) {
            writer.delete_term(Term::from_field_text(f.key, &doc_key(target)));
        }
        for doc in docs {
            let mut document = TantivyDocument::default();
            document.add_text(f.key, doc_key(&doc.target));
            document.add_text(f.kind, doc.target.kind.as_str());
            document.add_text(f.id, &doc.target.id);
            document.add_text(f.title, doc.section_text(Section::Title));
            document.add_text(f.body, doc.section_text(Section::Body));
            document.add_text(f.internal, doc.section_text(Section::Internal));
            for (key, _) in &doc.keys {
                document.add_text(f.exact, key);
            }
            let shown = Shown { title: doc.title.clone(), fields: doc.fields.clone(), keys: doc.keys.clone() };
            let shown = serde_json::to_string(&shown).map_err(|err| IndexError::Corrupt(err.to_string()))?;
            document.add_text(f.shown, shown);
            if let Some(status) = &doc.facets.status {
                document.add_text(f.status, status);
            }
            if let Some(owner) = &doc.facets.owner {
                document.add_text(f.owner, owner.map_or_else(|| NO_OWNER.to_owned(), |id| id.to_string()));
            }
            document.add_i64(f.created, doc.facets.created);
            writer.add_document(document)?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        // A fresh writer collects the files merges left behind, so the bundle carries live files only.
        let writer: IndexWriter = self.index.writer_with_num_threads(1, WRITER_ARENA_BYTES)?;
        writer.garbage_collect_files().wait()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// The index as one object: a header naming the workspace, then each live file (name, bytes).
    pub fn to_bytes(&self) -> Result<Vec<u8>, IndexError> {
        let live: HashSet<String> =
            self.index.searchable_segment_ids()?.iter().map(|segment| segment.uuid_string()).collect();
        let managed =
            self.directory.atomic_read(Path::new(MANAGED_FILE)).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        let managed: Vec<PathBuf> = serde_json::from_slice(&managed).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        let mut files: Vec<PathBuf> = managed
            .into_iter()
            .filter(|path| {
                let name = path.to_string_lossy();
                name.split('.').next().is_some_and(|stem| live.contains(stem))
            })
            .collect();
        files.sort();
        files.insert(0, PathBuf::from(META_FILE));
        let mut out = Vec::new();
        out.extend_from_slice(BUNDLE_MAGIC);
        let workspace = self.workspace.to_string();
        put_chunk(&mut out, workspace.as_bytes());
        out.extend_from_slice(&(files.len() as u32).to_le_bytes());
        for path in files {
            let bytes = if path == Path::new(META_FILE) {
                self.directory.atomic_read(&path).map_err(|e| IndexError::Corrupt(e.to_string()))?
            } else {
                let handle = self.directory.open_read(&path).map_err(|e| IndexError::Corrupt(e.to_string()))?;
                handle.read_bytes().map_err(|e| IndexError::Corrupt(e.to_string()))?.as_slice().to_vec()
            };
            put_chunk(&mut out, path.to_string_lossy().as_bytes());
            put_chunk(&mut out, &bytes);
        }
        Ok(out)
    }

    /// Opens an object written by [`Self::to_bytes`]; an object of another workspace is refused.
    pub fn from_bytes(workspace: WorkspaceId, bytes: &[u8]) -> Result<Self, IndexError> {
        let corrupt = |what: &str| IndexError::Corrupt(what.to_owned());
        let mut rest = bytes.strip_prefix(BUNDLE_MAGIC.as_slice()).ok_or_else(|| corrupt("not a search index"))?;
        let owner = take_chunk(&mut rest).ok_or_else(|| corrupt("truncated header"))?;
        if owner != workspace.to_string().as_bytes() {
            return Err(corrupt("the object belongs to another workspace"));
        }
        let count = take(&mut rest, 4).ok_or_else(|| corrupt("truncated header"))?;
        let count = u32::from_le_bytes(count.try_into().map_err(|_| corrupt("header"))?);
        let directory = RamDirectory::create();
        let mut names = Vec::new();
        for _ in 0..count {
            let name = take_chunk(&mut rest).ok_or_else(|| corrupt("truncated file name"))?;
            let data = take_chunk(&mut rest).ok_or_else(|| corrupt("truncated file"))?;
            let name = std::str::from_utf8(name).map_err(|_| corrupt("file name"))?;
            if name.contains('/') || name.starts_with('.') {
                return Err(corrupt("file name"));
            }
            names.push(name.to_owned());
            directory.atomic_write(Path::new(name), data).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        }
        if !rest.is_empty() {
            return Err(corrupt("trailing bytes"));
        }
        // The files are the index's own from now on: merges may replace them, and the next bundle
        // lists them (the managed list is what `to_bytes` reads).
        let managed: Vec<&str> = names.iter().map(String::as_str).filter(|name| *name != META_FILE).collect();
        let managed = serde_json::to_vec(&managed).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        directory.atomic_write(Path::new(MANAGED_FILE), &managed).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        let index = Index::open(directory.clone())?;
        let fields = fields_of(&index.schema())?;
        let opened = Self::opened(workspace, index, directory, fields)?;
        // Reads every segment's term dictionaries once: a damaged file fails here, not in a query.
        let searcher = opened.reader.searcher();
        for segment in searcher.segment_readers() {
            for field in [fields.title, fields.body, fields.exact, fields.key] {
                segment.inverted_index(field)?;
            }
        }
        Ok(opened)
    }

    /// The best `limit` records for the request, best first.
    pub fn search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>, IndexError> {
        let Some(query) = self.query(request) else { return Ok(Vec::new()) };
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(request.limit.max(1)).order_by_score())?;
        let words: Vec<String> = text::words(request.query).into_iter().map(|word| word.text).collect();
        let keys = text::exact_keys_of_query(request.query);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let document: TantivyDocument = searcher.doc(address)?;
            let text_of =
                |field: Field| document.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let kind =
                SearchKind::parse(&text_of(self.fields.kind)).ok_or_else(|| IndexError::Corrupt("kind".into()))?;
            let shown: Shown = serde_json::from_str(&text_of(self.fields.shown))
                .map_err(|err| IndexError::Corrupt(err.to_string()))?;
            let (matched_field, snippet, highlights) = highlight(&shown, &words, &keys, request.internal);
            hits.push(Hit {
                target: SearchTarget { kind, id: text_of(self.fields.id) },
                title: shown.title,
                score,
                matched_field,
                snippet,
                highlights,
            });
        }
        Ok(hits)
    }

    fn query(&self, request: &SearchRequest<'_>) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let words = text::words(request.query);
        let mut sections = vec![(f.title, TITLE_BOOST), (f.body, BODY_BOOST)];
        if request.internal {
            sections.push((f.internal, BODY_BOOST));
        }
        // Every word must match somewhere (exactly, by prefix if last, or within its typos).
        let mut all_words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (position, word) in words.iter().enumerate() {
            let last = position + 1 == words.len();
            let typos = text::typos_allowed(&word.text);
            let mut ways: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, boost) in &sections {
                let term = Term::from_field_text(*field, &word.text);
                let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                ways.push((Occur::Should, Box::new(BoostQuery::new(Box::new(exact), boost * EXACT_WORD_BOOST))));
                if last {
                    let prefix = FuzzyTermQuery::new_prefix(term.clone(), typos, true);
                    ways.push((Occur::Should, Box::new(BoostQuery::new(Box::new(prefix), boost * PREFIX_BOOST))));
                }
                if typos > 0 {
                    let fuzzy = FuzzyTermQuery::new(term, typos, true);
                    ways.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), boost * FUZZY_BOOST))));
                }
            }
            all_words.push((Occur::Must, Box::new(BooleanQuery::new(ways))));
        }
        let mut either: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !all_words.is_empty() {
            either.push((Occur::Should, Box::new(BooleanQuery::new(all_words))));
        }
        for key in text::exact_keys_of_query(request.query) {
            let exact = TermQuery::new(Term::from_field_text(f.exact, &key), IndexRecordOption::Basic);
            either.push((Occur::Should, Box::new(BoostQuery::new(Box::new(exact), KEY_BOOST))));
        }
        if either.is_empty() || request.kinds.is_empty() {
            return None;
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(either))),
            (Occur::Must, unscored(any_term(f.kind, request.kinds.iter().map(|kind| kind.as_str())))),
        ];
        let filters = request.filters;
        if !filters.statuses.is_empty() {
            must.push((Occur::Must, unscored(any_term(f.status, filters.statuses.iter().map(String::as_str)))));
        }
        if let Some(owner) = filters.owner {
            let owner = owner.map_or_else(|| NO_OWNER.to_owned(), |id| id.to_string());
            must.push((Occur::Must, unscored(any_term(f.owner, [owner.as_str()].into_iter()))));
        }
        if filters.created_from.is_some() || filters.created_before.is_some() {
            let bound = |at: Option<jiff::Timestamp>, inclusive: bool| match at {
                None => Bound::Unbounded,
                Some(at) if inclusive => Bound::Included(Term::from_field_i64(f.created, at.as_second())),
                Some(at) => Bound::Excluded(Term::from_field_i64(f.created, at.as_second())),
            };
            let range = RangeQuery::new(bound(filters.created_from, true), bound(filters.created_before, false));
            must.push((Occur::Must, unscored(Box::new(range))));
        }
        Some(Box::new(BooleanQuery::new(must)))
    }
}

/// Records whose `field` holds any of `values`.
fn any_term<'a>(field: Field, values: impl Iterator<Item = &'a str>) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> = values
        .map(|value| {
            let term = Term::from_field_text(field, value);
            (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(terms))
}

/// A filter: it narrows, it does not rank.
fn unscored(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, 0.0))
}

/// Snippet text around the first match is at most about this long.
const SNIPPET_CHARS: usize = 160;

/// The field that matched (keys first, then title, body, internal notes) and a snippet of it with
/// the matching words' byte ranges.
fn highlight(
    shown: &Shown,
    words: &[String],
    keys: &[String],
    internal: bool,
) -> (String, String, Vec<(usize, usize)>) {
    if let Some((_, field)) = shown.keys.iter().find(|(key, _)| keys.contains(key))
        && let Some(named) = shown.fields.iter().find(|named| &named.name == field)
    {
        return (field.clone(), named.text.clone(), vec![(0, named.text.len())]);
    }
    // The best field so far: how many query words it matched, the field, the matching byte ranges.
    type Best<'a> = (usize, &'a NamedField, Vec<(usize, usize)>);
    let mut best: Option<Best<'_>> = None;
    for section in [Section::Title, Section::Body, Section::Internal] {
        if section == Section::Internal && !internal {
            continue;
        }
        for named in shown.fields.iter().filter(|named| named.section == section) {
            let mut ranges = Vec::new();
            let mut matched = BTreeSet::new();
            for word in text::words(&named.text) {
                for (position, query) in words.iter().enumerate() {
                    if text::word_match(query, &word.text, position + 1 == words.len()).is_some() {
                        ranges.push((word.from, word.to));
                        matched.insert(position);
                        break;
                    }
                }
            }
            // The field matching the most query words wins; the earlier section on a tie.
            if !ranges.is_empty() && best.as_ref().is_none_or(|(count, _, _)| matched.len() > *count) {
                best = Some((matched.len(), named, ranges));
            }
        }
        if best.as_ref().is_some_and(|(count, _, _)| *count == words.len()) {
            break;
        }
    }
    let Some((_, named, ranges)) = best else {
        return ("title".to_owned(), shown.title.clone(), Vec::new());
    };
    let (snippet, offset) = window(&named.text, ranges[0].0);
    let highlights = ranges
        .into_iter()
        .filter(|(from, to)| *from >= offset && *to <= offset + snippet.len())
        .map(|(from, to)| (from - offset, to - offset))
        .collect();
    (named.name.clone(), snippet, highlights)
}

/// About [`SNIPPET_CHARS`] of `text` around byte `at`, on character boundaries; and where it starts.
fn window(text: &str, at: usize) -> (String, usize) {
    if text.chars().count() <= SNIPPET_CHARS {
        return (text.to_owned(), 0);
    }
    let boundaries: Vec<usize> = text.char_indices().map(|(index, _)| index).chain([text.len()]).collect();
    let at_char = boundaries.iter().position(|&b| b >= at).unwrap_or(0);
    let start_char = at_char.saturating_sub(SNIPPET_CHARS / 4);
    let end_char = (start_char + SNIPPET_CHARS).min(boundaries.len() - 1);
    let (start, end) = (boundaries[start_char], boundaries[end_char]);
    (text[start..end].to_owned(), start)
}

fn put_chunk(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn take<'a>(rest: &mut &'a [u8], count: usize) -> Option<&'a [u8]> {
    if rest.len() < count {
        return None;
    }
    let (head, tail) = rest.split_at(count);
    *rest = tail;
    Some(head)
}

fn take_chunk<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let length = u64::from_le_bytes(take(rest, 8)?.try_into().ok()?);
    take(rest, usize::try_from(length).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::NamedField;

    fn doc(kind: SearchKind, id: &str, title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            target: SearchTarget { kind, id: id.to_owned() },
            title: title.to_owned(),
            fields: vec![
                NamedField { name: "subject".into(), section: Section::Title, text: title.to_owned() },
                NamedField { name: "message".into(), section: Section::Body, text: body.to_owned() },
            ],
            keys: Vec::new(),
            facets: crate::document::Facets::default(),
        }
    }

    static NO_FILTERS: SearchFilters =
        SearchFilters { statuses: Vec::new(), owner: None, created_from: None, created_before: None };

    fn all_kinds() -> BTreeSet<SearchKind> {
        SearchKind::ALL.into_iter().collect()
    }

    fn ask<'a>(query: &'a str, kinds: &'a BTreeSet<SearchKind>) -> SearchRequest<'a> {
        SearchRequest { query, kinds, limit: 10, internal: true, filters: &NO_FILTERS }
    }

    #[test]
    fn filters_narrow_by_status_owner_and_creation_day() {
        use crate::document::Facets;
        use shared::domain::ids::UserId;
        let workspace = WorkspaceId::generate();
        let mut index = WorkspaceIndex::create(workspace).unwrap();
        let owner = UserId::generate();
        let day = |date: &str| {
            date.parse::<jiff::civil::Date>().unwrap().to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp()
        };
        let mut open_mine = doc(SearchKind::Tickets, "t1", "Printer jam", "");
        open_mine.facets =
            Facets { status: Some("open".into()), owner: Some(Some(owner)), created: day("2026-03-02").as_second() };
        let mut solved_nobody = doc(SearchKind::Tickets, "t2", "Printer smoke", "");
        solved_nobody.facets =
            Facets { status: Some("solved".into()), owner: Some(None), created: day("2026-05-10").as_second() };
        let mut customer = doc(SearchKind::Customers, "c1", "Printer Inc", "");
        customer.facets = Facets { status: None, owner: None, created: day("2026-03-02").as_second() };
        index.apply(&[open_mine, solved_nobody, customer], &[]).unwrap();
        let kinds = all_kinds();
        let found = |filters: SearchFilters| -> Vec<String> {
            let mut ids: Vec<String> = index
                .search(&SearchRequest { filters: &filters, ..ask("printer", &kinds) })
                .unwrap()
                .into_iter()
                .map(|hit| hit.target.id)
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(found(SearchFilters::default()), ["c1", "t1", "t2"]);
        assert_eq!(found(SearchFilters { statuses: vec!["solved".into()], ..Default::default() }), ["t2"]);
        assert_eq!(
            found(SearchFilters { statuses: vec!["open".into(), "solved".into()], ..Default::default() }),
            ["t1", "t2"]
        );
        assert_eq!(found(SearchFilters { owner: Some(Some(owner)), ..Default::default() }), ["t1"]);
        assert_eq!(found(SearchFilters { owner: Some(None), ..Default::default() }), ["t2"]);
        // The created_to day is inclusive: its end is the exclusive bound.
        let march = SearchFilters {
            created_from: Some(day("2026-03-02")),
            created_before: Some(day("2026-03-03")),
            ..Default::default()
        };
        assert_eq!(found(march), ["c1", "t1"]);
        assert_eq!(found(SearchFilters { created_from: Some(day("2026-03-03")), ..Default::default() }), ["t2"]);
    }

    #[test]
    fn an_index_survives_its_object_and_keeps_taking_changes() {
        let workspace = WorkspaceId::generate();
        let mut index = WorkspaceIndex::create(workspace).unwrap();
        index.apply(&[doc(SearchKind::Tickets, "t1", "Printer jammed", "paper stuck")], &[]).unwrap();
        for round in 0..3 {
            // Several writes: segments are merged and collected, the object keeps only live files.
            let id = format!("c{round}");
            index.apply(&[doc(SearchKind::Customers, &id, "Zoë Müller", "")], &[]).unwrap();
        }
        let bytes = index.to_bytes().unwrap();
        let mut reopened = WorkspaceIndex::from_bytes(workspace, &bytes).unwrap();
        assert_eq!(reopened.records(), 4);
        let kinds = all_kinds();
        let hits = reopened.search(&ask("printr", &kinds)).unwrap();
        assert_eq!(hits[0].target.id, "t1");
        reopened.apply(&[], &[SearchTarget { kind: SearchKind::Tickets, id: "t1".into() }]).unwrap();
        let again = WorkspaceIndex::from_bytes(workspace, &reopened.to_bytes().unwrap()).unwrap();
        assert!(again.search(&ask("printer", &kinds)).unwrap().is_empty(), "the delete propagated");
        assert_eq!(again.search(&ask("zoe muller", &kinds)).unwrap().len(), 3);
    }

    #[test]
    fn an_object_of_another_workspace_or_damaged_is_refused() {
        let workspace = WorkspaceId::generate();
        let mut index = WorkspaceIndex::create(workspace).unwrap();
        index.apply(&[doc(SearchKind::Tickets, "t1", "Printer", "")], &[]).unwrap();
        let bytes = index.to_bytes().unwrap();
        assert!(matches!(WorkspaceIndex::from_bytes(WorkspaceId::generate(), &bytes), Err(IndexError::Corrupt(_))));
        assert!(WorkspaceIndex::from_bytes(workspace, &bytes[..bytes.len() - 10]).is_err());
        assert!(WorkspaceIndex::from_bytes(workspace, b"not an index").is_err());
    }

    #[test]
    fn the_title_outranks_the_body_and_exact_outranks_fuzzy_and_kinds_filter() {
        let mut index = WorkspaceIndex::create(WorkspaceId::generate()).unwrap();
        index
            .apply(
                &[
                    doc(SearchKind::Tickets, "body", "Weekly status", "the printer jammed again"),
                    doc(SearchKind::Tickets, "title", "Printer jammed", "tray two"),
                    doc(SearchKind::Leads, "fuzzy", "Marta Olsen", ""),
                    doc(SearchKind::Leads, "exact", "Marti Olsen", ""),
                ],
                &[],
            )
            .unwrap();
        let kinds = all_kinds();
        let order: Vec<String> =
            index.search(&ask("printer", &kinds)).unwrap().into_iter().map(|hit| hit.target.id).collect();
        assert_eq!(order, ["title", "body"]);
        let hits = index.search(&ask("marti", &kinds)).unwrap();
        assert_eq!(hits.iter().map(|hit| hit.target.id.as_str()).collect::<Vec<_>>(), ["exact", "fuzzy"]);
        assert_eq!((hits[0].matched_field.as_str(), hits[0].snippet.as_str()), ("subject", "Marti Olsen"));
        assert_eq!(hits[1].highlights, [(0, 5)], "the fuzzy word is highlighted too");
        let tickets: BTreeSet<SearchKind> = [SearchKind::Tickets].into_iter().collect();
        assert!(index.search(&ask("marti", &tickets)).unwrap().is_empty());
    }

    #[test]
    fn internal_notes_match_only_when_asked() {
        let mut index = WorkspaceIndex::create(WorkspaceId::generate()).unwrap();
        let mut noted = doc(SearchKind::Tickets, "t", "Login trouble", "cannot sign in");
        noted.fields.push(NamedField {
            name: "internal_note".into(),
            section: Section::Internal,
            text: "fraud ring".into(),
        });
        index.apply(&[noted], &[]).unwrap();
        let kinds = all_kinds();
        let member = index.search(&ask("fraud", &kinds)).unwrap();
        assert_eq!(member[0].matched_field, "internal_note");
        let key = SearchRequest { internal: false, ..ask("fraud", &kinds) };
        assert!(index.search(&key).unwrap().is_empty());
    }
}
