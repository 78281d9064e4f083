"""The pytest plugin lwt.unix.pytest_plugin, run in inner pytest sessions (pytester)."""

from __future__ import annotations

import textwrap
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider -p no:hypothesispytest
filterwarnings = error
{extra}
"""


@pytest.fixture
def tester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """An inner pytest project that loads plugins from their entry points, as users' do.

    Hypothesis's plugin is left out: it takes a second to start each session.
    """
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    pytester.makefile(".ini", pytest=INI.format(extra=""))
    return pytester


def run_inner(tester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    tester.makepyfile(test_inner=textwrap.dedent(source))
    return tester.runpytest_inprocess(*args)


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    (ep,) = [ep for ep in entry_points(group="pytest11") if ep.name == "lwt"]
    assert ep.value == "lwt.unix.pytest_plugin"


def test_a_marked_async_test_runs_on_the_lwt_loop(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.core
        import lwt.unix
        from lwt.unix.main import run

        @pytest.mark.lwt
        async def test_sleeps():
            assert await lwt.unix.sleep(0.001) is None
            with pytest.raises(RuntimeError, match="nested"):
                run(lwt.core.return_unit)
        """,
    )
    result.assert_outcomes(passed=1)


def test_a_failing_async_test_fails_with_its_exception(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.unix

        @pytest.mark.lwt
        async def test_raises():
            await lwt.unix.sleep(0)
            raise KeyError("from the coroutine")

        @pytest.mark.lwt
        async def test_asserts():
            await lwt.unix.sleep(0)
            assert 1 + 1 == 3
        """,
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["*KeyError: 'from the coroutine'", "*assert (1 + 1) == 3*", "*2 failed*"]
    )


def test_a_leaked_timer_fails_the_test_with_a_message_naming_it(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.unix

        @pytest.mark.lwt
        async def test_leaks():
            lwt.unix.sleep(42.5)

        @pytest.mark.lwt
        async def test_after_it():
            assert lwt.unix.engine.timer_count() == 0
        """,
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*lwt: the test left 1 event registered with the engine: "
            "<lwt.unix.engine.Event timer 42.5s>*"
        ]
    )


def test_a_leaked_descriptor_wait_fails_the_test(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import socket
        import pytest
        import lwt.unix

        @pytest.mark.lwt
        async def test_leaks():
            r, w = socket.socketpair()
            with r, w:
                lwt.unix.engine.on_readable(r.fileno(), lambda ev: None)
                await lwt.unix.sleep(0)
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*left 1 event registered*<lwt.unix.engine.Event readable fd *>*"])


def test_an_async_fixture_leaving_a_timer_errors_at_teardown(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.unix

        @pytest.fixture
        async def leaky():
            lwt.unix.sleep(7.0)
            return 1

        @pytest.mark.lwt
        async def test_uses_it(leaky):
            assert leaky == 1
        """,
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the test's fixtures left 1 event*timer 7.0s*"])


def test_an_exception_reaching_the_async_hook_fails_the_test(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.core
        import lwt.unix

        @pytest.mark.lwt
        async def test_background_failure():
            lwt.core.async_(lambda: lwt.core.fail(ValueError("lost")))
            await lwt.unix.sleep(0)
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*async exception hook during the test*ValueError('lost')*"])


def test_the_clock_fixture_gives_autojumping_virtual_time(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import math
        import time
        import pytest
        import lwt.unix
        from lwt.unix.testing import VirtualClock, VirtualTimeEngine

        @pytest.mark.lwt
        async def test_an_hour(lwt_clock, lwt_engine):
            assert isinstance(lwt_clock, VirtualClock)
            assert lwt.unix.engine.get() is lwt_engine
            assert lwt_engine.virtual_clock is lwt_clock
            assert lwt_clock.autojump_threshold == 0
            start = time.monotonic()
            with pytest.raises(lwt.unix.Timeout):
                await lwt.unix.with_timeout(3600, lambda: lwt.unix.sleep(7200))
            assert lwt_clock.now() == 3600
            assert time.monotonic() - start < 1

        @pytest.mark.lwt
        async def test_by_hand(lwt_clock):
            lwt_clock.autojump_threshold = math.inf
            p = lwt.unix.sleep(5)
            lwt_clock.advance(5)
            await lwt.core.pause()
            assert p.state() == lwt.core.Return(None)

        def test_sync_tests_may_take_it(lwt_clock):
            assert isinstance(lwt.unix.engine.get(), VirtualTimeEngine)
            lwt.unix.main.run(lwt.unix.sleep(60))
            assert lwt_clock.now() == 60

        @pytest.mark.lwt
        async def test_without_it_time_is_real(lwt_engine):
            assert type(lwt_engine) is lwt.unix.engine.SelectorEngine
        """,
    )
    result.assert_outcomes(passed=4)


def test_async_fixtures_run_on_the_tests_engine(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.unix

        log = []

        @pytest.fixture
        async def value(lwt_clock):
            await lwt.unix.sleep(10)
            return lwt_clock.now()

        @pytest.fixture
        async def resource(lwt_clock):
            await lwt.unix.sleep(1)
            log.append(("up", lwt_clock.now()))
            yield "res"
            await lwt.unix.sleep(1)
            log.append(("down", lwt_clock.now()))

        class TestInAClass:
            @pytest.fixture
            async def name(self):
                return type(self).__name__

            @pytest.mark.lwt
            async def test_method(self, name):
                assert name == "TestInAClass"

        @pytest.mark.lwt
        async def test_both(value, resource, lwt_clock):
            assert (value, resource) == (10, "res")
            assert lwt_clock.now() == 11

        def test_teardown_ran_under_the_clock():
            assert log == [("up", 11), ("down", 12)]
        """,
    )
    result.assert_outcomes(passed=3)


def test_a_wider_scoped_async_fixture_is_refused_with_a_reason(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest

        @pytest.fixture(scope="module")
        async def shared():
            return 1

        @pytest.mark.lwt
        async def test_it(shared):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*async fixture shared has scope 'module'*function scope only*"])


def test_strict_mode_leaves_unmarked_async_tests_alone(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        async def test_unmarked():
            pass
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])


def test_auto_mode_claims_async_tests_except_other_plugins_ones(tester: pytest.Pytester) -> None:
    tester.makefile(
        ".ini",
        pytest=INI.format(extra="lwt_mode = auto\nmarkers =\n    asyncio\n    trio\n    anyio"),
    )
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.unix

        async def test_claimed():
            await lwt.unix.sleep(0)

        @pytest.mark.asyncio
        async def test_for_asyncio():
            pass

        @pytest.mark.trio
        async def test_for_trio():
            pass
        """,
    )
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "FAILED test_inner.py::test_for_asyncio - Failed: async def functions are not*",
            "FAILED test_inner.py::test_for_trio - Failed: async def functions are not*",
        ]
    )


def test_a_bad_mode_is_a_usage_error(tester: pytest.Pytester) -> None:
    tester.makefile(".ini", pytest=INI.format(extra="lwt_mode = sometimes"))
    result = run_inner(tester, "def test_x():\n    pass\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*lwt_mode: expected 'strict' or 'auto', got 'sometimes'*"])


def test_the_marker_is_registered(tester: pytest.Pytester) -> None:
    result = tester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.lwt: run this test on a fresh lwt engine*"])


def test_a_marked_plain_test_gets_a_fresh_engine(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.unix

        outer = lwt.unix.engine.get()

        @pytest.mark.lwt
        def test_marked():
            assert lwt.unix.engine.get() is not outer
            assert lwt.unix.main.run(lwt.unix.sleep(0)) is None

        def test_unmarked_is_untouched():
            assert lwt.unix.engine.get() is outer
        """,
    )
    result.assert_outcomes(passed=2)


def test_non_lwt_tests_and_fixtures_are_untouched(tester: pytest.Pytester) -> None:
    result = run_inner(
        tester,
        """
        import pytest
        import lwt.core

        @pytest.fixture
        def plain():
            yield 3

        def test_sync(plain, request):
            assert plain == 3
            assert "lwt_engine" not in request.fixturenames

        def test_fails():
            assert lwt.core.return_(1).state() == lwt.core.Return(2)

        @pytest.fixture
        async def orphan():
            return 1

        def test_async_fixture_of_a_plain_test(orphan):
            pass
        """,
    )
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*requested an async fixture 'orphan'*no plugin or hook*"])


def test_a_test_claimed_by_two_plugins_errors_with_a_reason(tester: pytest.Pytester) -> None:
    tester.makefile(".ini", pytest=INI.format(extra="markers =\n    asyncio"))
    result = run_inner(
        tester,
        """
        import pytest

        @pytest.mark.lwt
        @pytest.mark.asyncio
        async def test_both():
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_both is marked both lwt and asyncio*strict mode*"])
