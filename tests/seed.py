"""What the seed article (shared/seeds/000_b0c45ec849f03d5f.txt) says: the expected values."""

SEED_TITLE = "What Causes Restless Legs Syndrome? Unpacking the Mystery Behind RLS"

# (level, heading) of every section, in the seed's order.
SEED_HEADINGS = [
    (2, "The Role of Dopamine: A Key Suspect"),
    (2, "Genetic Predisposition: Is RLS Hereditary?"),
    (2, "Pregnancy and Hormonal Changes: A Temporary Trigger"),
    (2, "Underlying Health Conditions: Risk Factors for RLS"),
    (3, "Peripheral Neuropathy"),
    (3, "Iron Deficiency"),
    (3, "Kidney Failure"),
    (3, "Spinal Cord Conditions"),
    (3, "Parkinson’s Disease and Related Medications"),
    (2, "Seeking Medical Advice"),
    (2, "Conclusion: Unraveling the Causes of RLS"),
]

# The seed's "Alt text:" lines, in order, with the heading of the section each follows.
SEED_IMAGES = [
    (
        "Illustration depicting nerve endings transmitting signals, relevant to "
        "neurological conditions like restless legs syndrome.",
        "The Role of Dopamine: A Key Suspect",
    ),
    (
        "Diagram showing nerve damage characteristic of peripheral neuropathy, a "
        "condition linked to increased risk of restless legs syndrome.",
        "Peripheral Neuropathy",
    ),
]
