# The verbs of the project. CI runs `make test` (.ci/run).
.PHONY: run test setup train lint format seed evaluate bench lookup clean

run:        ## set up everything and run the whole service (Ctrl-C stops)
	@scripts/run.sh

test:       ## set up everything and run every check
	@scripts/test.sh

setup:      ## create both Python environments and the spaCy pipeline
	@bash -c 'source scripts/lib.sh && setup_app_env && setup_bot_env'

train:      ## train the Rasa model if its inputs changed
	@scripts/train.sh

evaluate:   ## NLU evaluation on a held-out split: per-intent scores, JSON and PNG
	@scripts/evaluate_nlu.sh

bench:      ## load benchmark, gateway vs bare Rasa (ARGS="--saturate", see --help); results/bench/
	@bash -c 'source scripts/lib.sh && setup_app_env && exec nice "$$APP_VENV/bin/python" scripts/bench.py $(ARGS)'

lint:       ## ruff check and format check
	@.venv/app/bin/ruff check . && .venv/app/bin/ruff format --check .

format:     ## apply ruff's formatting and safe fixes
	@.venv/app/bin/ruff check --fix . && .venv/app/bin/ruff format .

seed:       ## migrate and load offices and comuni into DATABASE_URL
	@PYTHONPATH=. .venv/app/bin/python -m backend.migrate && PYTHONPATH=. .venv/app/bin/python -m backend.seed

lookup:     ## regenerate the comune lookup table from the ISTAT list
	@.venv/app/bin/python scripts/gen_comune_lookup.py

clean:      ## remove environments, models and local data
	rm -rf .venv models var results
