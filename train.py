"""Train the jazz LSTM. Examples:

    python train.py                                   # embedded corpus, defaults
    python train.py model.n_a=32 data.Tx=20 trainer.max_epochs=5
    python train.py data.path=my_solos/ logger=csv
    python train.py -m model.n_a=32,64 data.Tx=15,30  # a sweep

The last line on stdout is the best checkpoint's path.
"""

import hydra
from omegaconf import DictConfig

from jazz_solo.config import TrainConfig, load
from jazz_solo.errors import one_line_errors
from jazz_solo.training import fit


@hydra.main(config_path="conf", config_name="train", version_base="1.3")
@one_line_errors
def main(cfg: DictConfig) -> None:
    best = fit(load(TrainConfig, cfg))
    if best is not None:
        print(best)


if __name__ == "__main__":
    main()
