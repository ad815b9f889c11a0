"""Prompts for the accuracy fixtures (see make_accuracy_fixtures.py).

Each prompt is (name, text). Text is tokenized by llama.cpp with the model's own
BOS rule and with special tokens parsed (so chat markup becomes control tokens).
The chat prompt differs per model family; everything else is shared.
"""

SHARED_PROMPTS = [
    ("prose_en",
     "The history of the printing press begins in the fifteenth century, when a goldsmith in Mainz"),
    ("question",
     "Q: Why is the sky blue during the day but red and orange at sunset?\nA: The sky looks blue because"),
    ("chinese",
     "中国古代的四大发明是造纸术、印刷术、火药和指南针。其中，造纸术"),
    ("code_python",
     "def merge_sorted(a, b):\n    \"\"\"Merge two sorted lists into one sorted list.\"\"\"\n"),
    ("code_c",
     "#include <stdio.h>\n#include <string.h>\n\n/* Reverse a string in place. */\nvoid reverse(char *s) {\n"),
    ("list",
     "Things to pack for a week of hiking in the mountains:\n1. A waterproof jacket\n2."),
    ("story",
     "Once upon a time, in a small village at the edge of a great forest, there lived an old clockmaker who"),
    ("json",
     '{"users": [{"id": 1, "name": "Alice", "email": "alice@example.com", "roles": ["admin", "editor"]}, '
     '{"id": 2, "name": "Bob",'),
    ("arithmetic",
     "Let's compute 17 * 24 step by step. First, 17 * 20 = 340. Then"),
    ("french",
     "La Révolution française a commencé en 1789. Les causes principales étaient"),
]

CHAT_PROMPTS = {
    # ChatML, as the chat templates of SmolLM2 and Qwen2.5 write it.
    "chatml": ("chat",
               "<|im_start|>user\nExplain in a few paragraphs how a refrigerator keeps food cold."
               "<|im_end|>\n<|im_start|>assistant\n"),
    # Gemma's turn markup (the 270M file is the base model, but knows the tokens).
    "gemma": ("chat",
              "<start_of_turn>user\nExplain in a few paragraphs how a refrigerator keeps food cold."
              "<end_of_turn>\n<start_of_turn>model\n"),
}

# For Gemma 3 (sliding window 512): long enough that the 64 generated tokens
# are all attended through the window, i.e. the prompt alone is past 512 tokens
# and prompt + 64 generated tokens stays under ~770.
LONG_PROMPT = ("long_prose", """\
The lighthouse at Carrow Point had been automated for eleven years when the harbour trust decided to \
sell it. Nobody in the town expected a buyer. The building stood at the end of a narrow spit of rock \
that flooded twice a day, the keeper's cottage had lost half its roof in the storm of the previous \
winter, and the lamp itself, a modern sealed unit bolted to the old brass gallery, belonged to the \
navigation authority and could not be touched. What was for sale was a tower of granite, a cottage \
without a roof, a stone jetty, and the right to cross the causeway at low tide.

The buyer turned out to be a retired marine engineer named Ilse Brandt, who had spent thirty years \
maintaining the diesel engines of ferries in the Baltic and who arrived in the town with two suitcases, \
a toolbox the size of a coffin, and a dog of uncertain ancestry called Pilot. She took a room above the \
bakery on the harbour road and, for the first month, did nothing but walk out to the point at every low \
tide, sit on the jetty with a notebook, and come back before the water cut her off.

People talked, as people in small towns do. Some said she meant to open a guest house; others that she \
was a writer, or a painter, or that she had been sent by the government to survey the coast for a wind \
farm. The baker, who saw her every morning, said only that she drank her coffee black, paid in coins, \
and asked a great many questions about the tides.

In the second month the materials began to arrive. A flat-bed lorry brought timber, slates and sacks of \
lime mortar to the end of the causeway, and Ilse carried them across herself, load by load, in a \
wheelbarrow with an oversized pneumatic tyre, racing the water. Fishermen coming in on the evening tide \
would see a single lantern moving on the roof of the cottage long after dark. By the end of the summer \
the roof was whole again, the chimney drew, and a thin line of smoke rose from the point on cold \
mornings.

It was in the autumn that the town discovered what she had really come for. During the great gale in \
October, when the power failed along the whole coast and the sealed lamp in the tower went dark with \
it, a fishing boat from the next harbour lost its engine off the headland and began to drift towards \
the rocks. The crew later said that they had given themselves up for lost when a light appeared above \
them, not the cold white flash they knew but a warm, steady, turning beam, exactly where the old \
lighthouse should have been.

Ilse had restored the original clockwork and the paraffin burner of the old lamp, piece by piece, in \
the cottage workshop, and had kept them ready, oiled and wound, against precisely such a night. When \
the harbour master went out the next morning to thank her, he found her asleep in a chair at the top of \
the tower, the dog across her feet, and the great lens still turning slowly in the grey light. She \
woke, looked at him, and said only that the mechanism needed a new spring, and that she would like to \
know where one might be found.""")
