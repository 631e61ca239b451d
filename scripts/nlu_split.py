"""The 80/20 split of the NLU data that `make evaluate` scores, the same on every run.

`rasa data split nlu` copies the data files into a temporary folder under random (uuid)
names before loading them, so the examples come in a different order on each run, and
its seeded split picks a different held-out set from the same data: 0.901 and 0.903
intent macro-F1 in two runs of the same commit. Here the files are read in sorted path
order and merged, then split with Rasa's own TrainingData.train_test_split and the same
seed, so the same data always give the same held-out set.

usage: python scripts/nlu_split.py <data dir> <out dir>   (writes training_data.yml and
test_data.yml, as `rasa data split nlu` does)
"""

from __future__ import annotations

import sys

SEED = 2026
TRAIN_FRACTION = 0.8


def load_sorted(data: str):  # type: ignore[no-untyped-def]
    """The NLU training data of `data`, files merged in sorted path order."""
    import rasa.shared.data
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    files = rasa.shared.data.get_data_files([data], rasa.shared.data.is_nlu_file)
    return TrainingData().merge(*[load_data(path) for path in sorted(files)])


def split(data: str):  # type: ignore[no-untyped-def]
    """(train, test) of `data`: Rasa's stratified split, seed 2026."""
    return load_sorted(data).train_test_split(TRAIN_FRACTION, random_seed=SEED)


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    train, test = split(data)
    train.persist(out, filename="training_data.yml")
    test.persist(out, filename="test_data.yml")


if __name__ == "__main__":
    main()
