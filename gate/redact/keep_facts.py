"""`python -m gate.redact.keep_facts`: analyse the secret detector's patterns and keep what the analysis
finds beside its modules (`gate.redact.facts`), for every later run to read. `make` and the image's build
run it once the gate is installed."""

from gate.redact.facts import PATH, save
from gate.redact.rules import analysed


def main() -> None:
    key, facts = analysed()
    save(key, facts)
    print(f"{PATH}: the facts of the secret detector's patterns")


if __name__ == "__main__":
    main()
