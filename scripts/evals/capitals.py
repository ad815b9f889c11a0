"""A small inspect-ai task for checking that an evaluation tool runs against `hearth serve` unchanged.

    inspect eval scripts/evals/capitals.py --model openai-api/hearth/smollm2-135m-instruct
    (with HEARTH_BASE_URL=http://127.0.0.1:PORT/v1 and HEARTH_API_KEY set)

scripts/test_inspect_eval.py starts the server and runs it.
"""
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.scorer import includes
from inspect_ai.solver import generate, system_message

QUESTIONS = [
    ("What is the capital of France? Answer with one word.", "Paris"),
    ("What is the capital of Italy? Answer with one word.", "Rome"),
    ("What is the capital of Japan? Answer with one word.", "Tokyo"),
    ("What is the capital of Germany? Answer with one word.", "Berlin"),
    ("What is the capital of Spain? Answer with one word.", "Madrid"),
    ("What is 2 + 2? Answer with a number.", "4"),
]


@task
def capitals():
    return Task(
        dataset=[Sample(input=question, target=answer) for question, answer in QUESTIONS],
        solver=[system_message("You are a helpful assistant. Answer briefly."), generate()],
        scorer=includes(),
    )
