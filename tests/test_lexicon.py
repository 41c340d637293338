"""Loading the lexicon: clear errors for analysts' mistakes, and the shipped file's coverage."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from ingest.lexicon import LexiconError, load_lexicon, parse_lexicon
from ingest.matcher import KIND_ANCHOR, KIND_CONCEPT, Matcher
from ingest.textnorm import normalise_form

LEXICON = Path(__file__).resolve().parents[1] / "data" / "lexicon.toml"

REQUIRED = [
    "new_security_concept",
    "asian_security_concept",
    "common_comprehensive_cooperative_sustainable_security",
    "common_security",
    "comprehensive_security",
    "cooperative_security",
    "sustainable_security",
    "indivisible_security",
    "holistic_national_security",
    "global_security_initiative",
    "global_development_initiative",
    "global_civilization_initiative",
    "global_governance_initiative",
    "community_shared_future",
    "regional_community_shared_future",
    "mutual_trust_benefit_equality_coordination",
    "partnership_not_alliance",
    "extensive_consultation",
    "dialogue_and_consultation",
    "legitimate_security_concerns",
    "sovereignty_territorial_integrity",
    "non_interference",
    "five_principles_peaceful_coexistence",
    "un_charter",
    "true_multilateralism",
    "traditional_nontraditional_security",
    "development_security_nexus",
    "new_type_international_relations",
    "new_model_major_country_relations",
    "win_win_cooperation",
    "cold_war_mentality",
    "zero_sum",
    "bloc_confrontation",
    "hegemonism",
    "power_politics",
    "unilateralism",
    "absolute_security",
    "military_alliances",
    "unilateral_sanctions",
    "long_arm_jurisdiction",
    "asia_pacific_nato",
    "sco",
    "cica",
    "asean_regional_forum",
    "brics",
    "boao_forum",
    "rules_based_order",
    "free_open_indo_pacific",
    "integrated_deterrence",
    "extended_deterrence",
    "collective_defence",
    "derisking_decoupling",
    "economic_coercion",
    "aukus",
    "quad",
]

MINIMAL = {
    "context": {"en": ["united nations"], "zh": ["联合国"], "min_anchors": 2},
    "families": [{"id": "official", "label": "Official", "colour": "#d62728"}],
    "concepts": [
        {"id": "gsi", "label": "GSI", "family": "official", "definition": "d", "en": ["global security initiative"]},
        {"id": "csf", "label": "CSF", "family": "official", "definition": "d", "zh": ["人类命运共同体"]},
    ],
}


def _raw(**changes):
    raw = copy.deepcopy(MINIMAL)
    for dotted, value in changes.items():
        target = raw
        *path, last = dotted.split("__")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return raw


def _error(raw) -> str:
    with pytest.raises(LexiconError) as info:
        parse_lexicon(raw, "lex.toml", "hash")
    return str(info.value)


def test_minimal_lexicon_loads():
    lex = parse_lexicon(_raw(), "lex.toml", "hash")
    assert [c.id for c in lex.concepts] == ["gsi", "csf"]
    assert lex.min_anchors == 2


def test_unknown_field_names_file_concept_and_field():
    message = _error(_raw(concepts__0__colour="red"))
    assert "lex.toml" in message and "'gsi'" in message and "'colour'" in message


def test_unknown_top_level_key_and_context_key():
    assert "'concept'" in _error(_raw(concept=[]))
    assert "context.anchors" in _error(_raw(context__anchors=["x"]))


def test_empty_pattern():
    message = _error(_raw(concepts__0__en=[""]))
    assert "'gsi'" in message and "'en'" in message and "empty" in message


@pytest.mark.parametrize("form", ["*", "  ", "-", "\u2014", '"', " * "])
def test_pattern_matching_the_empty_string(form):
    message = _error(_raw(concepts__0__en=[form]))
    assert "'gsi'" in message and "empty string" in message


@pytest.mark.parametrize("form", [".*", "...", "!?", "()", "、", "，。", "12", "— 2022 —"])
def test_form_without_a_letter_or_han_character_is_refused(form):
    message = _error(_raw(concepts__0__en=[form]))
    assert "'gsi'" in message and "no letter or Han character" in message and "literal" in message


@pytest.mark.parametrize(
    "form",
    [
        "hegemon.*",
        "cold war\\s+mentality",
        "(?i)quad",
        "sco|cica",
        "^brics",
        "brics$",
        "bloc[s]",
        "cold * war",
        "blocs?",
    ],
)
def test_regex_looking_form_is_refused_with_a_hint(form):
    message = _error(_raw(concepts__0__en=[form]))
    assert "'gsi'" in message and "regular expression" in message and "literal" in message


def test_literal_forms_with_punctuation_still_load():
    forms = [
        "u.n. charter",
        "shanghai cooperation organisation (sco)",
        "sco v. ibm",
        "hegemon*",
        "共同、综合、合作、可持续",
    ]
    assert parse_lexicon(_raw(concepts__0__en=forms), "lex.toml", "hash").concepts[0].en == tuple(forms)


def test_duplicate_ids():
    raw = _raw()
    raw["concepts"].append(dict(raw["concepts"][0], en=["global development initiative"]))
    assert "duplicate concept id 'gsi'" in _error(raw)


def test_duplicate_family_ids():
    raw = _raw()
    raw["families"].append(dict(raw["families"][0]))
    assert "duplicate family id 'official'" in _error(raw)


def test_unknown_family():
    message = _error(_raw(concepts__1__family="platforms"))
    assert "'csf'" in message and "unknown family 'platforms'" in message


def test_form_shared_by_two_concepts_even_when_written_differently():
    # "Global-Security Initiative" normalises to the same key as the first concept's form
    message = _error(_raw(concepts__1__en_context=["Global-Security Initiative"]))
    assert "'csf'" in message and "'gsi'" in message


def test_form_listed_twice_in_one_field():
    message = _error(_raw(concepts__0__en=["global security initiative", "Global Security Initiative"]))
    assert "twice" in message


@pytest.mark.parametrize(
    "change, words",
    [
        ({"concepts__0__weight": 0}, "'weight'"),
        ({"concepts__0__weight": float("nan")}, "'weight'"),
        ({"concepts__0__weight": True}, "'weight'"),
        ({"concepts__0__en": "global security initiative"}, "list of strings"),
        ({"concepts__0__en": [3]}, "non-string"),
        ({"concepts__0__label": ""}, "'label'"),
        ({"concepts__0__seed": 5}, "'seed'"),
        ({"context__min_anchors": 0}, "min_anchors"),
        ({"families": []}, "families"),
        ({"concepts": {}}, "concepts"),
    ],
)
def test_bad_values_are_named(change, words):
    assert words in _error(_raw(**change))


def test_concept_without_forms():
    raw = _raw()
    del raw["concepts"][0]["en"]
    assert "no surface forms" in _error(raw)


def test_not_a_table():
    assert "must be a table" in _error(["concepts"])


def test_bad_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[[concepts]]\nid = "x\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="broken.toml.*not valid TOML"):
        load_lexicon(path)


def test_missing_file(tmp_path):
    with pytest.raises(LexiconError, match="not found"):
        load_lexicon(tmp_path / "nope.toml")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('version = "caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(LexiconError, match="UTF-8"):
        load_lexicon(path)


# ---- the shipped lexicon ------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_lexicon(LEXICON)


def test_shipped_lexicon_covers_every_required_concept(shipped):
    ids = {c.id for c in shipped.concepts}
    assert not set(REQUIRED) - ids, f"missing concepts: {sorted(set(REQUIRED) - ids)}"


def test_shipped_concepts_are_complete(shipped):
    families = {f.id for f in shipped.families}
    assert len(families) >= 5
    assert len({f.colour.lower() for f in shipped.families}) == len(shipped.families), "family colours must differ"
    for c in shipped.concepts:
        assert c.definition.strip() and c.label.strip()
        assert c.en or c.en_context, f"{c.id} has no English form"
        assert c.zh or c.zh_context, f"{c.id} has no Chinese form"
        if c.seed:
            assert (LEXICON.parent / "seeds" / f"{c.seed}.txt").exists(), f"{c.id}: no seed {c.seed}"
            assert c.seed in c.definition, f"{c.id}: definition should name its seed"


def test_platforms_and_counter_frames_weigh_less(shipped):
    for c in shipped.concepts:
        if c.family in ("platform", "counter"):
            assert c.weight < 1.0, c.id


def test_acronyms_and_generic_words_are_never_full_forms(shipped):
    risky = {
        "sco",
        "cica",
        "gsi",
        "arf",
        "quad",
        "equality",
        "coordination",
        "security",
        "common security",
        "comprehensive security",
        "上合",
        "亚信",
    }
    for c in shipped.concepts:
        full = {normalise_form(f.rstrip("*")) for f in c.en + c.zh}
        assert not full & risky, f"{c.id} lists {full & risky} as full forms"
    context = {normalise_form(f) for c in shipped.concepts for f in c.en_context}
    assert {"sco", "cica", "gsi", "arf", "quad"} <= context


def test_context_anchors_do_not_swallow_concept_forms(shipped):
    """An anchor whose tail is the head of a concept form would hide that form
    (matching is leftmost-longest).  Only pairs judged implausible in real text
    are allowed."""
    matcher = Matcher(shipped)
    # "regional security indivisibility" does not occur; nor does "regional securityand
    # development" (a joined variant, lexicon.joined_variants)
    allowed_heads = ("security ", "security")
    allowed = {("裁军", "军事"), ("发言人", "人类"), ("领导人", "人类")}  # 裁军事…, 领导人类… are not Chinese
    keys = list(matcher.automaton.items())
    forms = [k for k, info in keys if info.kind == KIND_CONCEPT and not k.startswith(allowed_heads)]
    clashes = []
    for anchor, info in keys:
        if info.kind != KIND_ANCHOR:
            continue
        for i in range(1, len(anchor)):
            tail = anchor[i:]
            if anchor[i - 1].isalnum() and anchor[i].isalnum() and anchor[i] < "\u2e80":
                continue  # the tail starts inside a word: no boundary there
            clashes += [
                (anchor, form)
                for form in forms
                if form.startswith(tail) and len(form) > len(tail) and (anchor, form[:2]) not in allowed
            ]
    assert not clashes, clashes


# ---- coverage an analyst expects (issue 12 section 5) --------------------------------


@pytest.mark.parametrize(
    "text, concept",
    [
        ("The world continues to move toward multipolarity", "multipolarity"),  # UNGDC CHN 2022
        ("推动世界多极化和经济全球化", "multipolarity"),
        ("Президент говорил о принципах многополярного мира", "multipolarity"),  # 1tv.ru 2023-12-04
        ("反对“小院高墙”", "small_yard_high_fence"),
        ("a 'small yard, high fence' approach to chips", "small_yard_high_fence"),
        ("中方无意打新冷战", "new_cold_war"),
        ("China has no intention to fight a new Cold War", "new_cold_war"),
        ("不搞封闭排外的小圈子", "small_circles"),  # MFA zh t1567715
        ("外交部发言人表示，联合国安理会不是小圈子", "small_circles"),
        ("弘扬全人类共同价值", "common_values_of_humanity"),  # 2023 government work report
        ("democracy and freedom are common values of humanity", "common_values_of_humanity"),  # UNGDC CHN 2022
        ("构建人类卫生健康共同体", "regional_community_shared_future"),
        ("implement the Global Development, Security and Civilization Initiatives", "three_global_initiatives"),
        ("落实三大全球倡议", "three_global_initiatives"),
        ("At the United Nations the foreign ministers welcomed the GDI.", "global_development_initiative"),
        ("At the United Nations the foreign ministers welcomed the GCI.", "global_civilization_initiative"),
        ("At the United Nations the foreign ministers welcomed the GGI.", "global_governance_initiative"),
        ("the Shanghai Co-operation Organisation", "sco"),
        ("a community with a shared future for the neighbourhood", "regional_community_shared_future"),
        ("dialog and consultation", "dialogue_and_consultation"),
        ("Five Principles of Peaceful Co-existence", "five_principles_peaceful_coexistence"),
        ("collective defence", "collective_defence"),
        ("美日印澳四方安全對話", "quad"),  # Taiwan / Hong Kong rendering
        ("美國的整合嚇阻", "integrated_deterrence"),
        ("美國對台灣的延伸嚇阻", "extended_deterrence"),
    ],
)
def test_coverage_forms(text, concept, shipped_matcher):
    from ingest.score import find_matches

    assert concept in {m.concept for m in find_matches(text, shipped_matcher)}


@pytest.fixture(scope="module")
def shipped_matcher(shipped):
    return Matcher(shipped)


# ---- Russian (issue 12 section 1) ------------------------------------------------------

RUSSIAN_REQUIRED = [
    "indivisible_security", "multipolarity", "sco", "brics", "csto", "cold_war_mentality", "zero_sum",
    "hegemonism", "power_politics", "bloc_confrontation", "nato_expansion", "security_architecture",
    "global_security_initiative", "community_shared_future", "unilateral_sanctions", "rules_based_order",
]  # fmt: skip


def test_russian_forms_for_every_concept_russian_discourse_uses(shipped):
    missing = [cid for cid in RUSSIAN_REQUIRED if not (shipped.concept(cid).ru or shipped.concept(cid).ru_context)]
    assert not missing


@pytest.mark.parametrize(
    "text, concept",
    [
        # putin_lavrov_ru 2022-02-21: Опорный для нас принцип неделимости безопасности
        ("Опорный для нас принцип неделимости безопасности", "indivisible_security"),
        ("обеспечению равной и неделимой безопасности для всех", "indivisible_security"),
        ("о неделимой безопасности", "indivisible_security"),
        ("Неделимость безопасности", "indivisible_security"),
        ("системы неделимой европейской и глобальной безопасности", "indivisible_security"),  # kremlin 2025-02-27
        ("против расширения НАТО на восток", "nato_expansion"),
        ("с Шанхайской организацией сотрудничества", "sco"),
        ("саммит ШОС", "sco"),
        ("в рамках ОДКБ", "csto"),
        ("странами БРИКС", "brics"),
        ("о менталитете холодной войны", "cold_war_mentality"),
        ("логикой игры с нулевой суммой", "zero_sum"),
        ("стремление к гегемонии", "hegemonism"),
        ("политикой силы", "power_politics"),
        ("блокового противостояния", "bloc_confrontation"),
        ("архитектуры европейской безопасности", "security_architecture"),
        ("Инициативу глобальной безопасности", "global_security_initiative"),
        ("сообщества единой судьбы человечества", "community_shared_future"),
        ("односторонних санкций", "unilateral_sanctions"),
        ("«порядком, основанным на правилах»", "rules_based_order"),
        ("многополярного мироустройства", "multipolarity"),
        ("многополярный мир", "multipolarity"),
    ],
)
def test_russian_forms_match_their_case_forms(text, concept, shipped_matcher):
    from ingest.score import find_matches

    context = "Министр иностранных дел заявил в ООН: "  # two anchors for the context forms
    matches = find_matches(context + text, shipped_matcher)
    assert concept in {m.concept for m in matches}
    for m in matches:
        assert (context + text)[m.start : m.end] == m.text
