//! One file as every detector reads it, built once per file by
//! [`super::detect_all`]: its live text, the lowercase form, the line
//! index and the lexed code each detector used to build for itself.

use std::cell::OnceCell;
use std::path::Path;

use super::SourceFile;
use super::deps::Versions;
use super::syntax::lex::{Comments, Lex};
use super::syntax::lines::Lines;

/// One file's live text and what is derived from it, derived on first use
/// so a detector that rejects the file on its name or needles pays nothing.
pub struct FileCtx<'a> {
    pub path: &'a Path,
    /// The file name, lowercased.
    pub name: &'a str,
    /// The live text ([`super::syntax::live_text::live_text`]): comments
    /// blanked, concatenated literals joined, offsets and lines kept.
    pub text: &'a str,
    pub versions: Versions<'a>,
    lower: OnceCell<String>,
    lines: OnceCell<Lines>,
    /// The text lexed as code, one per kind of comment.
    lexes: [OnceCell<Lex>; Comments::COUNT],
}

impl<'a> FileCtx<'a> {
    /// The context of `file`, whose text is taken as it is (already live).
    pub fn new(file: &SourceFile<'a>) -> FileCtx<'a> {
        FileCtx {
            path: file.path,
            name: file.name,
            text: file.text,
            versions: file.versions,
            lower: OnceCell::new(),
            lines: OnceCell::new(),
            lexes: Default::default(),
        }
    }

    /// The text, ASCII-lowercased: byte offsets are the text's.
    pub fn lower(&self) -> &str {
        self.lower.get_or_init(|| self.text.to_ascii_lowercase())
    }

    /// Where each line starts.
    pub(crate) fn lines(&self) -> &Lines {
        self.lines.get_or_init(|| Lines::new(self.text))
    }

    /// The text's strings, comments and brackets, read as code with
    /// `comments`: lexed on first use, so once per file and kind, and by a
    /// detector only once it has found code to read (a call's pattern).
    pub(crate) fn lex(&self, comments: Comments) -> &Lex {
        self.lexes[comments.index()].get_or_init(|| Lex::new(self.text, comments))
    }
}
