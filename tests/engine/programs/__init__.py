"""The engine tests' own programs: frozen copies of the shipped support program (GRANT), the
regulation-exception request (PERMIT) and the regulatory-difficulty report that opens one (REPORT), so the engine tests never depend on the shipped rule files."""

from pathlib import Path

ENGINE_PROGRAMS = Path(__file__).parent
GRANT = "engine-grant"
PERMIT = "engine-permit"
REPORT = "engine-report"
