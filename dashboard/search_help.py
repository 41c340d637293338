"""The search syntax as the Articles page's help popover shows it (our own text, so
Markdown is safe here).  The full rules are in docs/methodology.md, "Search syntax"."""

SYNTAX = """
| type | finds |
|---|---|
| `security concept` | both words (AND is the default) |
| `GSI OR "Global Security Initiative"` | either |
| `security -council` or `security NOT council` | the first without the second |
| `(council OR forum) security` | grouping |
| `"new security concept"` | the exact phrase |
| `secur*`, `безопасн*` | words starting so |
| `NEAR(security concept, 5)` or `"security concept"~5` | words at most 5 words apart |
| `title:GSI`, `title:"cold war"` | in the title |
| `source:xinhua` `group:cn-official` | from a source or group (id or part of the name) |
| `lang:zh` `lang:ru` | in a language |
| `concept:cold_war_mentality` | items matching a lexicon concept |

Whole words in English and Russian (`security` does not find "insecurity"; use `*` for
other endings). Chinese is matched character for character: `冷战` finds `冷战思维`.
Case does not matter; operators are in capitals.
"""

PLACEHOLDER = 'e.g. "Global Security Initiative" OR 冷战思维, secur* -council, NEAR(zero sum, 3)'
