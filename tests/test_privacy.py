"""Privacy: exported tables never carry raw ids; analyses of this module's family carry none."""

from __future__ import annotations

import pandas as pd
import pytest

from journeyviz.analyses.privacy import check_no_raw_ids, export, raw_id_columns


@pytest.fixture
def table():
    return pd.DataFrame({"customer_id": ["a", "b"], "respondent_id": ["r1", "r2"], "segment": ["x", "y"], "value": [1.0, 2.0]})


def test_export_strips_id_columns_and_id_index(table, tmp_path):
    written = export(table.set_index("customer_id"), tmp_path / "out.csv")
    back = pd.read_csv(written)
    assert list(back.columns) == ["segment", "value"]
    assert raw_id_columns(back) == []


def test_export_refuses_when_asked(table, tmp_path):
    with pytest.raises(ValueError, match="customer_id"):
        export(table, tmp_path / "out.parquet", ids="refuse")
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.parametrize("kwargs, word", [({"ids": "keep"}, "ids="), ({"path": "x.xlsx"}, "path=")])
def test_bad_parameters(table, tmp_path, kwargs, word):
    path = kwargs.pop("path", tmp_path / "out.csv")
    with pytest.raises(ValueError, match=word):
        export(table, path, **kwargs)


def test_segment_outputs_carry_no_ids(maison_lumiere):
    from journeyviz.analyses.listening import listening_plan
    from journeyviz.analyses.segments import segment, segment_profiles

    seg = segment(maison_lumiere, rules={"region": None})
    check_no_raw_ids(segment_profiles(seg))
    check_no_raw_ids(listening_plan(maison_lumiere))
    with pytest.raises(ValueError, match="raw ids"):
        check_no_raw_ids(seg.customers)
