//! Templates (`"Bearer {access_token}"`) and arithmetic (`(t_ % 10000) * 3 + 2345`)
//! inside auth values, parsed at generation time so mistakes point at the YAML.

pub use spec_lang::{Expr, Op, Piece};

/// Splits a template into literal text and `{name}` references. `{{` and `}}` are literal braces.
pub fn parse_template(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        // `-` for step outputs named after headers (`{X-Timestamp}`).
                        Some(ch) if ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' => {
                            name.push(ch)
                        }
                        // `{params.NAME}`: a request parameter, whose name may hold `.`.
                        Some('.') if name.starts_with("params") => name.push('.'),
                        Some(ch) => {
                            return Err(format!(
                                "unexpected {ch:?} in `{{{name}` of template {text:?}; names are letters, digits, `_` and `-` (and `params.NAME` for a request parameter)"
                            ));
                        }
                        None => return Err(format!("unclosed `{{` in template {text:?}")),
                    }
                }
                if name.is_empty() {
                    return Err(format!("empty `{{}}` in template {text:?}"));
                }
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit).into()));
                }
                pieces.push(Piece::Var(name.into()));
            }
            '}' => {
                return Err(format!(
                    "unmatched `}}` in template {text:?} (write `}}}}` for a literal brace)"
                ));
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit.into()));
    }
    Ok(pieces)
}

/// Parses `+ - * / %` with the usual precedence, parentheses, integers and names.
pub fn parse_arithmetic(text: &str) -> Result<Expr, String> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        text,
    };
    let expr = parser.sum()?;
    match parser.tokens.get(parser.pos) {
        None => Ok(expr),
        Some(t) => Err(format!("unexpected `{t}` in {text:?}")),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Int(i64),
    Name(String),
    Sym(char),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Int(i) => write!(f, "{i}"),
            Token::Name(n) => f.write_str(n),
            Token::Sym(c) => write!(f, "{c}"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                chars.next();
            }
            let n = digits
                .parse()
                .map_err(|_| format!("integer {digits} is too large in {text:?}"))?;
            tokens.push(Token::Int(n));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut name = String::new();
            while let Some(&d) = chars
                .peek()
                .filter(|d| d.is_ascii_alphanumeric() || **d == '_')
            {
                name.push(d);
                chars.next();
            }
            tokens.push(Token::Name(name));
        } else if "+-*/%()".contains(c) {
            tokens.push(Token::Sym(c));
            chars.next();
        } else {
            return Err(format!(
                "unexpected {c:?} in arithmetic {text:?}; allowed: integers, names, + - * / % and parentheses"
            ));
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn peek_sym(&self) -> Option<char> {
        match self.tokens.get(self.pos) {
            Some(Token::Sym(c)) => Some(*c),
            _ => None,
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut lhs = self.product()?;
        while let Some(op @ ('+' | '-')) = self.peek_sym() {
            self.pos += 1;
            let rhs = self.product()?;
            let op = if op == '+' { Op::Add } else { Op::Sub };
            lhs = Expr::Bin(Box::new(lhs), op, Box::new(rhs));
        }
        Ok(lhs)
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut lhs = self.atom()?;
        while let Some(op @ ('*' | '/' | '%')) = self.peek_sym() {
            self.pos += 1;
            let rhs = self.atom()?;
            let op = match op {
                '*' => Op::Mul,
                '/' => Op::Div,
                _ => Op::Rem,
            };
            lhs = Expr::Bin(Box::new(lhs), op, Box::new(rhs));
        }
        Ok(lhs)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        match token {
            Some(Token::Int(i)) => Ok(Expr::Int(i)),
            Some(Token::Name(n)) => Ok(Expr::Var(n.into())),
            Some(Token::Sym('(')) => {
                let inner = self.sum()?;
                if self.peek_sym() != Some(')') {
                    return Err(format!("missing `)` in {:?}", self.text));
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(t) => Err(format!("unexpected `{t}` in {:?}", self.text)),
            None => Err(format!("unexpected end of {:?}", self.text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(e: &Expr, t: i64) -> i64 {
        match e {
            Expr::Int(i) => *i,
            Expr::Var(_) => t,
            Expr::Bin(a, op, b) => {
                let (a, b) = (eval(a, t), eval(b, t));
                match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div => a / b,
                    Op::Rem => a % b,
                }
            }
        }
    }

    #[test]
    fn arithmetic_follows_precedence() {
        // The document's own vector: t_=1422339152058 gives p_=8519.
        let e = parse_arithmetic("(t_ % 10000) * 3 + 2345").unwrap();
        assert_eq!(eval(&e, 1422339152058), 8519);
        assert_eq!(eval(&parse_arithmetic("1 + 2 * 3").unwrap(), 0), 7);
        for bad in ["(t_ % 10000", "t_ ^ 2", "1 +", "3 4"] {
            assert!(parse_arithmetic(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn templates_split_into_pieces() {
        assert_eq!(
            parse_template("Bearer {access_token}").unwrap(),
            vec![
                Piece::Lit("Bearer ".into()),
                Piece::Var("access_token".into())
            ]
        );
        assert_eq!(
            parse_template("{{x}}").unwrap(),
            vec![Piece::Lit("{x}".into())]
        );
        assert_eq!(
            parse_template("{X-Timestamp}\n{params.a.b-c}").unwrap(),
            vec![
                Piece::Var("X-Timestamp".into()),
                Piece::Lit("\n".into()),
                Piece::Var("params.a.b-c".into())
            ]
        );
        for bad in ["{unclosed", "{}", "a}b", "{a.b}", "{a b}", "{params.a b}"] {
            assert!(parse_template(bad).is_err(), "{bad}");
        }
    }
}
