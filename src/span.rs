//! Source positions: which file, which bytes.

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Index of a loaded spec file in a [`crate::source::SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// File the range belongs to.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Length in bytes (0 marks a point, e.g. the start of a mapping).
    pub len: usize,
}

impl Span {
    /// A span in `file` covering `len` bytes from `start`.
    pub fn new(file: FileId, start: usize, len: usize) -> Self {
        Span { file, start, len }
    }

    /// Converts a serde-saphyr location into a span of `file`.
    ///
    /// serde-saphyr reports byte offsets for string input; a missing byte offset (never
    /// expected for our `&str` input) degrades to the start of the file.
    pub fn from_location(file: FileId, loc: &serde_saphyr::Location) -> Self {
        let span = loc.span();
        let start = span.byte_offset().unwrap_or(0) as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        Span { file, start, len }
    }
}

/// A value together with the span of the YAML node it was read from.
///
/// Deserializes through `serde_saphyr::Spanned`, so spans survive as long as the
/// surrounding types are plain structs, sequences or externally tagged enums. The file
/// id is filled in by the loader ([`Spanned::in_file`]); until then it is file 0.
#[derive(Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value itself.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `value` with `span`.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }

    /// Returns a reference to the inner value.
    pub fn get(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}@{}+{}", self.value, self.span.start, self.span.len)
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let inner = serde_saphyr::Spanned::<T>::deserialize(d)?;
        let span = Span::from_location(FileId(0), &inner.referenced);
        Ok(Spanned {
            value: inner.value,
            span,
        })
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}
