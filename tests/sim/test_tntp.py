"""The TNTP reader: the real SiouxFalls files, and broken files written in tmp_path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.tntp import read_flows, read_network, read_trips
from twin.errors import InputError

NET_HEAD = (
    "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 1\n"
    "<NUMBER OF LINKS> 2\n<END OF METADATA>\n\n"
    "~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\ttype\t;\n"
)
GOOD_ROWS = "\t1\t3\t100\t2\t5\t0.15\t4\t0\t0\t1\t;\n  3 2 50.5 1 2.5 0.15 4 0 1.5 1 ;\n"
TRIPS = "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> 30\n<END OF METADATA>\n\nOrigin 1\n 2 : 30.0;\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_siouxfalls_network(siouxfalls_dir: Path) -> None:
    net = read_network(siouxfalls_dir / "SiouxFalls_net.tntp")
    assert (net.n_nodes, net.n_zones, net.n_links, net.first_thru_node) == (24, 24, 76, 0)
    assert net.name == "SiouxFalls"
    # first row: 1 2 25900.20064 6 6 0.15 4 0 0 1
    assert (net.init_node[0], net.term_node[0]) == (0, 1)
    assert net.capacity[0] == pytest.approx(25900.20064)
    assert (net.fft[0], net.b[0], net.power[0], net.length[0]) == (6.0, 0.15, 4.0, 6.0)
    assert net.node_ids[0] == 1
    assert list(net.link_ids[:3]) == [1, 2, 3]


def test_siouxfalls_trips_and_flows(siouxfalls_dir: Path) -> None:
    net = read_network(siouxfalls_dir / "SiouxFalls_net.tntp")
    dem = read_trips(siouxfalls_dir / "SiouxFalls_trips.tntp", network=net)
    assert dem.matrix.shape == (24, 24)
    assert dem.matrix.sum() == pytest.approx(360_600.0)
    assert dem.matrix[0, 9] == 1300.0  # Origin 1 -> 10 : 1300.0
    assert dem.matrix[1, 17] == 0.0
    flows = read_flows(siouxfalls_dir / "SiouxFalls_flow.tntp")
    assert flows.flow.shape == (76,)
    x, c = flows.aligned(net)
    assert x[0] == pytest.approx(4494.6576464564205)
    assert c[0] == pytest.approx(6.0008162373543197)


def test_whitespace_comments_and_optional_columns(tmp_path: Path) -> None:
    text = (
        "~ a comment before the metadata\n"
        "<NUMBER OF ZONES>   1\n<number of nodes> 2\n<FIRST THRU NODE>\t2\n"
        "<NUMBER OF LINKS> 2\n<END OF METADATA>\n"
        "1 2 10 1 3 0 1 ;  ~ seven fields only\n"
        "2\t1\t10\t1\t3\t0\t1\t0\t0\t1;\n\n"
    )
    net = read_network(_write(tmp_path, "x_net.tntp", text))
    assert net.n_links == 2
    assert net.first_thru_node == 1  # TNTP 2 -> 0-based 1: zone 0 is not passed through
    assert np.array_equal(net.toll, [0.0, 0.0])
    trips = (
        "<NUMBER OF ZONES> 3\n<END OF METADATA>\n"
        "Origin 1\n2:1.5;3 :\t2;\n  Origin   3\n 1 : 4.0 ; 2 : 0.0 ;\n"
    )
    dem = read_trips(_write(tmp_path, "t.tntp", trips))
    assert dem.matrix.tolist() == [[0, 1.5, 2.0], [0, 0, 0], [4.0, 0, 0]]


@pytest.mark.parametrize(
    ("rows", "message", "line"),
    [
        (GOOD_ROWS.splitlines(keepends=True)[0], "truncated", None),
        (GOOD_ROWS.replace("50.5", "fifty"), "capacity is not a number", 9),
        (GOOD_ROWS.replace("\t1\t3\t", "\t1\t7\t"), "term_node 7 is out of range 1..3", 8),
        (GOOD_ROWS.replace("  3 2", "  0 2"), "init_node 0 is out of range", 9),
        (GOOD_ROWS.replace("50.5", "-50.5"), "capacity is negative", 9),
        (GOOD_ROWS.replace(" 1 2.5 0.15 4 0 1.5 1 ;", " 1 2.5 ;"), "expected at least 7", 9),
        (GOOD_ROWS + "1 2 5 5 5 0 1 0 0 1;\n", "more link rows", 10),
    ],
)
def test_bad_network_names_file_line_and_problem(
    tmp_path: Path, rows: str, message: str, line: int | None
) -> None:
    path = _write(tmp_path, "bad_net.tntp", NET_HEAD + rows)
    with pytest.raises(InputError) as err:
        read_network(path)
    text = str(err.value)
    assert message in text
    assert str(path) in text
    if line is not None:
        assert f"bad_net.tntp:{line}:" in text
    assert err.value.line == line


def test_good_small_network_reads(tmp_path: Path) -> None:
    net = read_network(_write(tmp_path, "ok_net.tntp", NET_HEAD + GOOD_ROWS))
    assert net.toll.tolist() == [0.0, 1.5]
    assert net.capacity.tolist() == [100.0, 50.5]


def test_missing_metadata(tmp_path: Path) -> None:
    no_end = NET_HEAD.replace("<END OF METADATA>\n", "")
    with pytest.raises(InputError, match="data before <END OF METADATA>"):
        read_network(_write(tmp_path, "a_net.tntp", no_end + GOOD_ROWS))
    with pytest.raises(InputError, match="no <END OF METADATA>"):
        read_network(_write(tmp_path, "b_net.tntp", "<NUMBER OF ZONES> 2\n"))
    no_links = NET_HEAD.replace("<NUMBER OF LINKS> 2\n", "")
    with pytest.raises(InputError, match="<NUMBER OF LINKS> is missing"):
        read_network(_write(tmp_path, "c_net.tntp", no_links + GOOD_ROWS))
    with pytest.raises(InputError, match="file not found"):
        read_network(tmp_path / "absent_net.tntp")
    with pytest.raises(InputError, match="<NUMBER OF NODES> must be a whole number"):
        read_network(_write(tmp_path, "d_net.tntp", NET_HEAD.replace("> 3", "> 3.5") + GOOD_ROWS))


def test_trips_for_another_network(tmp_path: Path, siouxfalls_dir: Path) -> None:
    net = read_network(siouxfalls_dir / "SiouxFalls_net.tntp")
    path = _write(tmp_path, "t.tntp", TRIPS)
    with pytest.raises(InputError, match="trips file for another network") as err:
        read_trips(path, network=net)
    assert err.value.line == 1


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (TRIPS.replace("30.0", "3O"), "flow is not a number", 6),
        (TRIPS.replace(" 2 : 30.0;", " 3 : 30.0;"), "destination zone 3 is out of range", 6),
        (TRIPS.replace("Origin 1", "Origin 9"), "origin zone 9 is out of range", 5),
        (TRIPS.replace("30.0", "-30.0").replace("> 30", "> -30"), "negative flow", 6),
        (TRIPS.replace("2 : 30.0;", "2 30.0;"), "expected 'destination : flow;'", 6),
        (TRIPS.replace("> 30", "> 300"), "<TOTAL OD FLOW> is 300 but the rows sum to 30", 2),
        (TRIPS.replace("Origin 1\n", ""), "before any 'Origin' line", 5),
        (TRIPS + " 2 : 1.0;\n", "given twice", 7),
    ],
)
def test_bad_trips(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = _write(tmp_path, "bad_trips.tntp", text)
    with pytest.raises(InputError) as err:
        read_trips(path)
    assert message in str(err.value)
    assert f"bad_trips.tntp:{line}:" in str(err.value)


def test_bad_flows(tmp_path: Path, siouxfalls_dir: Path) -> None:
    path = _write(tmp_path, "f.tntp", "From To Volume Cost\n1 2 3.0\n")
    with pytest.raises(InputError, match=r"f\.tntp:2: expected 4 fields"):
        read_flows(path)
    net = read_network(siouxfalls_dir / "SiouxFalls_net.tntp")
    partial = read_flows(_write(tmp_path, "g.tntp", "From To Volume Cost\n1 2 3.0 4.0\n"))
    with pytest.raises(InputError, match="no flow for link"):
        partial.aligned(net)
    other = read_flows(_write(tmp_path, "h.tntp", "1 24 3.0 4.0\n"))
    with pytest.raises(InputError, match="link 1->24 is not in network"):
        other.aligned(net)
