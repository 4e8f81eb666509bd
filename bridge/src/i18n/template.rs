//! Messages that are only text and `{ $variable }`s (most of them: cards,
//! notices, table labels), compiled once at load into pieces, so that
//! formatting one is a few string appends instead of a walk through
//! Fluent's resolver. Anything richer (a select, a plural, a term, a
//! function) is left to Fluent; so is a value that is not a string or a
//! number. The result is the same text Fluent gives (isolation marks are
//! off for every bundle), which a test checks for every shipped message.

use fluent_bundle::FluentValue;
use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement};

/// One piece of a compiled message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(String),
}

/// A message as text and variables, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
    /// The length of the text pieces, to size the result at once.
    text_len: usize,
}

impl Template {
    /// The template of `pattern`, if it has nothing but text and variables.
    pub fn compile(pattern: &Pattern<&str>) -> Option<Self> {
        let mut pieces: Vec<Piece> = Vec::new();
        for element in &pattern.elements {
            match element {
                PatternElement::TextElement { value } => match pieces.last_mut() {
                    Some(Piece::Text(text)) => text.push_str(value),
                    _ => pieces.push(Piece::Text((*value).to_owned())),
                },
                PatternElement::Placeable {
                    expression: Expression::Inline(InlineExpression::VariableReference { id }),
                } => pieces.push(Piece::Var(id.name.to_owned())),
                PatternElement::Placeable { .. } => return None,
            }
        }
        let text_len = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Var(_) => 0,
            })
            .sum();
        Some(Self { pieces, text_len })
    }

    /// The message with `args`; `None` when a variable is missing or is
    /// neither a string nor a number (Fluent then formats it, and says so).
    pub fn render(&self, args: &[(&str, FluentValue<'_>)]) -> Option<String> {
        let mut out = String::with_capacity(self.text_len + 32);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Var(name) => match &args.iter().find(|(n, _)| n == name)?.1 {
                    FluentValue::String(s) => out.push_str(s),
                    FluentValue::Number(n) => out.push_str(&n.as_string()),
                    _ => return None,
                },
            }
        }
        Some(out)
    }
}
