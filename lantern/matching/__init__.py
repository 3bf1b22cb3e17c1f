"""Text matching shared by the NLU pipeline and the safety screen (no Rasa imports).

`lexicon` maps what people say to entity values with spaCy on lower-cased lemmas;
`fuzzy` lets long words match their misspellings (and knows the real words never
to correct); `split_matcher` gives spaCy's `Matcher` patterns that are plain
phrases to `PhraseMatcher`s, for speed with the same matches. Kept together
because the lexicon and the screen use all three, and a change to any of them
changes what both find. Importing the package imports nothing else.
"""
