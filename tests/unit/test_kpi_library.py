"""The built-in KPI library: the shipped data, and the loader's validation."""

import copy
import json
import re
from pathlib import Path

import pytest

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.errors import DomainError
from kpidesk.domain.kpi_library import KpiLibrary, default_library_path, fold, load_library
from kpidesk.domain.numbers import MeasureUnit
from kpidesk.domain.periods import PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.domain.terms import Indicator

GROUPS_IN_ORDER = [
    "customer_service",
    "sales",
    "finance",
    "marketing",
    "operations",
    "people",
    "tech",
    "esg",
    "innovation",
]
CUSTOMER_SERVICE_CODES = ["CSAT", "NPS", "CES", "NKI", "CHURN", "CLV", "FCR", "FRT", "ART", "ESC"]


@pytest.fixture(scope="module")
def library() -> KpiLibrary:
    return load_library()


@pytest.fixture(scope="module")
def raw_library() -> dict:
    return json.loads(default_library_path().read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "kpi_library.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def first_kpi(data: dict, code: str = "CSAT") -> dict:
    return next(kpi for kpi in data["kpis"] if kpi["code"] == code)


# ------------------------------------------------------------------ the shipped library


def test_the_default_path_is_the_resources_file():
    assert default_library_path().name == "kpi_library.json"
    assert default_library_path().parent.name == "resources"
    assert default_library_path().is_file()


def test_library_has_at_least_forty_kpis(library):
    assert len(library.entries) >= 40


def test_groups_are_present_in_order_and_not_empty(library):
    assert [group.key for group in library.groups] == GROUPS_IN_ORDER
    for key in GROUPS_IN_ORDER:
        assert len(library.in_group(key)) >= 3, key


def test_every_entry_belongs_to_a_known_group(library):
    counted = sum(len(library.in_group(group.key)) for group in library.groups)
    assert counted == len(library.entries)


def test_group_names_in_both_languages(library):
    for group in library.groups:
        assert group.name("sv").strip() and group.name("en").strip()
    assert library.group("customer_service").name("sv") == "Kundservice"
    assert library.group("people").name("en") == "People"


@pytest.mark.parametrize("code", CUSTOMER_SERVICE_CODES)
def test_named_customer_service_kpis_are_present(library, code):
    entry = library.by_code(code)
    assert entry is not None
    assert entry.group == "customer_service"


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("CTR", "marketing"),
        ("CONV", "marketing"),
        ("CPL", "marketing"),
        ("SICK_LEAVE", "people"),
        ("TURNOVER", "people"),
        ("ENPS", "people"),
        ("ADOPTION", "tech"),
        ("RETENTION", "tech"),
        ("UPTIME", "tech"),
        ("DEFECT_RES", "tech"),
        ("GHG", "esg"),
        ("ENERGY", "esg"),
        ("NEW_PROD_REV", "innovation"),
        ("GM", "finance"),
        ("REV_GROWTH", "sales"),
        ("NEW_CUST", "sales"),
    ],
)
def test_other_kpis_named_in_the_issue_are_present(library, code, group):
    entry = library.by_code(code)
    assert entry is not None, code
    assert entry.group == group


def test_codes_are_unique_and_well_formed(library, raw_library):
    codes = [kpi["code"] for kpi in raw_library["kpis"]]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", code) for code in codes)
    assert [entry.code for entry in library.entries] == codes


def test_names_and_definitions_in_both_languages(library):
    for entry in library.entries:
        for language in ("sv", "en"):
            assert entry.name(language).strip(), (entry.code, language)
            assert entry.definition(language).strip(), (entry.code, language)
        assert entry.definition("sv") != entry.definition("en"), entry.code


def test_swedish_and_english_texts_are_returned_by_language(library):
    sick = library.by_code("SICK_LEAVE")
    assert sick.name("sv") == "Sjukfrånvaro"
    assert sick.name("en") == "Sick leave"
    assert sick.name("sv_SE") == "Sjukfrånvaro"
    assert sick.name("de") == "Sick leave"
    assert library.by_code("CSAT").name("sv") == "Kundnöjdhet (CSAT)"
    assert library.by_code("TURNOVER").name("sv") == "Personalomsättning"
    assert library.by_code("GM").name("sv") == "Bruttomarginal"
    assert library.by_code("NEW_PROD_REV").name("sv") == "Andel intäkter från nya produkter"


def test_formulas_where_given_are_in_both_languages(library):
    assert library.by_code("NPS").formula("en") == "promoters % − detractors %"
    assert library.by_code("NPS").formula("sv") == "promotorer % − kritiker %"
    assert library.by_code("REV").formula("en") == ""
    for entry in library.entries:
        if entry.formulas is not None:
            assert entry.formula("sv").strip() and entry.formula("en").strip()


def test_every_enum_value_is_valid_in_the_raw_file(raw_library):
    for kpi in raw_library["kpis"]:
        MeasureUnit(kpi["measure_unit"])
        Direction(kpi["direction"])
        PeriodKind(kpi["frequency"])
        Aggregation(kpi["time_aggregation"])
        Aggregation(kpi["unit_aggregation"])
        Indicator(kpi["indicator"])
        assert isinstance(kpi["decimals"], int) and 0 <= kpi["decimals"] <= 6


def test_loaded_entries_carry_enum_members(library):
    for entry in library.entries:
        assert isinstance(entry.measure_unit, MeasureUnit)
        assert isinstance(entry.direction, Direction)
        assert isinstance(entry.frequency, PeriodKind)
        assert isinstance(entry.time_aggregation, Aggregation)
        assert isinstance(entry.unit_aggregation, Aggregation)
        assert isinstance(entry.indicator, Indicator)


def test_other_units_have_a_label_and_the_rest_none(library):
    for entry in library.entries:
        if entry.measure_unit is MeasureUnit.OTHER:
            assert entry.unit_label, entry.code
        else:
            assert entry.unit_label == "", entry.code
    assert library.by_code("ENERGY").unit_label == "kWh"


def test_both_indicator_kinds_and_all_directions_are_used(library):
    assert {entry.indicator for entry in library.entries} == set(Indicator)
    assert {entry.direction for entry in library.entries} == set(Direction)


def test_aggregations_make_sense(library):
    for entry in library.entries:
        if entry.measure_unit in {MeasureUnit.PERCENT, MeasureUnit.SCORE, MeasureUnit.RATIO}:
            # a rate or score is never added up across units
            assert entry.unit_aggregation is not Aggregation.SUM, entry.code
    revenue = library.by_code("REV")
    assert (revenue.time_aggregation, revenue.unit_aggregation) == (
        Aggregation.SUM,
        Aggregation.SUM,
    )
    headcount = library.by_code("HEADCOUNT")
    assert (headcount.time_aggregation, headcount.unit_aggregation) == (
        Aggregation.LAST,
        Aggregation.SUM,
    )


def test_benchmarks_all_have_sources(library, raw_library):
    with_benchmark = [entry for entry in library.entries if entry.benchmark is not None]
    assert with_benchmark, "the library is expected to cite at least one benchmark"
    for entry in with_benchmark:
        assert entry.benchmark.source.strip(), entry.code
    for kpi in raw_library["kpis"]:
        if kpi.get("benchmark") is not None:
            assert kpi["benchmark"]["source"].strip()
    assert library.by_code("CSAT").benchmark.value == 80


def test_innovation_portfolio_benchmarks_add_up_to_a_whole(library):
    codes = ("INNOV_CORE", "INNOV_ADJ", "INNOV_TRANSF")
    assert [library.by_code(code).benchmark.value for code in codes] == [70, 20, 10]


# ------------------------------------------------------------------ lookups and search


def test_by_code_is_case_insensitive_and_none_for_unknown(library):
    assert library.by_code("csat") is library.by_code("CSAT")
    assert library.by_code("NOPE") is None


def test_in_group_keeps_library_order_and_refuses_unknown_groups(library):
    codes = [entry.code for entry in library.in_group("customer_service")]
    assert codes == CUSTOMER_SERVICE_CODES
    with pytest.raises(KeyError):
        library.in_group("astrology")


def test_fold_strips_case_and_diacritics():
    assert fold("Sjukfrånvaro ÄÖ") == "sjukfranvaro ao"


def test_search_ignores_diacritics_and_case(library):
    found = library.search("sjukfranvaro", "sv")
    assert library.by_code("SICK_LEAVE") in found
    assert library.search("SJUKFRÅNVARO", "en")[0].code == "SICK_LEAVE"


def test_search_covers_code_name_and_definition_in_both_languages(library):
    assert library.search("churn", "sv")[0].code == "CHURN"
    assert library.by_code("SICK_LEAVE") in library.search("sick leave", "sv")
    assert library.by_code("TURNOVER") in library.search("personalomsattning", "en")
    # a word only found in a definition
    assert library.by_code("SCRAP") in library.search("kasseras", "en")


def test_search_ranks_code_and_own_language_name_first(library):
    assert library.search("nps", "en")[0].code == "NPS"
    assert library.search("marginal", "sv")[0].code == "GM"


def test_search_requires_every_word_and_empty_text_gives_all(library):
    assert library.search("", "sv") == library.entries
    assert library.search("   ", "en") == library.entries
    assert library.search("sjukfranvaro zzzz", "sv") == ()


# ------------------------------------------------------------------ a malformed file


def assert_refused(tmp_path: Path, data: dict, *fragments: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        load_library(write(tmp_path, data))
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return caught.value


def test_a_copy_of_the_shipped_file_loads(tmp_path, raw_library):
    assert len(load_library(write(tmp_path, raw_library)).entries) == len(raw_library["kpis"])


@pytest.mark.parametrize(
    "field",
    [
        "group",
        "name",
        "definition",
        "measure_unit",
        "decimals",
        "direction",
        "frequency",
        "time_aggregation",
        "unit_aggregation",
        "indicator",
    ],
)
def test_a_missing_field_is_refused_naming_the_entry(tmp_path, raw_library, field):
    data = copy.deepcopy(raw_library)
    del first_kpi(data, "NPS")[field]
    error = assert_refused(tmp_path, data, "NPS", field)
    assert error.params == {"code": "NPS", "field": field}


def test_a_missing_code_names_the_entry_by_position(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    del data["kpis"][2]["code"]
    assert_refused(tmp_path, data, "#3", "code")


def test_an_empty_translation_is_refused(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    first_kpi(data, "CES")["name"]["sv"] = "  "
    assert_refused(tmp_path, data, "CES", "name.sv")


def test_a_benchmark_without_source_is_refused(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    first_kpi(data, "CHURN")["benchmark"] = {"value": 2.5}
    assert_refused(tmp_path, data, "CHURN", "benchmark.source")


def test_a_benchmark_with_a_blank_source_is_refused(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    first_kpi(data, "CSAT")["benchmark"]["source"] = ""
    assert_refused(tmp_path, data, "CSAT", "benchmark.source")


def test_a_bad_direction_is_refused(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    first_kpi(data, "FCR")["direction"] = "up"
    assert_refused(tmp_path, data, "FCR", "direction", '"up"')


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("measure_unit", "furlongs"),
        ("frequency", "fortnight"),
        ("time_aggregation", "median"),
        ("unit_aggregation", "total"),
        ("indicator", "trailing"),
        ("decimals", 7),
        ("decimals", 1.5),
        ("decimals", True),
        ("group", "astrology"),
        ("code", "csat-2"),
        ("unit_label", "kWh"),
    ],
)
def test_invalid_values_are_refused(tmp_path, raw_library, field, value):
    data = copy.deepcopy(raw_library)
    first_kpi(data, "CSAT")[field] = value
    assert_refused(tmp_path, data, field)


def test_an_other_unit_needs_a_label(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    first_kpi(data, "ENERGY")["unit_label"] = ""
    assert_refused(tmp_path, data, "ENERGY", "unit_label")


def test_a_duplicate_code_is_refused(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    first_kpi(data, "CES")["code"] = "NPS"
    assert_refused(tmp_path, data, "NPS", "more than once")


def test_an_unknown_field_is_refused(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    first_kpi(data, "NKI")["benchmrak"] = {"value": 70, "source": "x"}
    assert_refused(tmp_path, data, "NKI", "benchmrak")


def test_an_unsupported_version_is_refused(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    data["version"] = 99
    assert_refused(tmp_path, data, "99")


def test_a_group_without_names_is_refused(tmp_path, raw_library):
    data = copy.deepcopy(raw_library)
    del data["groups"][1]["name"]["en"]
    assert_refused(tmp_path, data, "sales", "name")


def test_broken_json_and_a_missing_file_are_domain_errors(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json", encoding="utf-8")
    with pytest.raises(DomainError, match="not valid JSON"):
        load_library(broken)
    with pytest.raises(DomainError, match="cannot be read"):
        load_library(tmp_path / "absent.json")
