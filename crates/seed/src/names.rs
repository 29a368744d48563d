//! Word lists for believable demo content. Fictional companies and people only; e-mail addresses
//! use the reserved `example.*` domains and IP addresses the documentation ranges (RFC 5737).

use rand::rngs::StdRng;

use super::plan::{below, pick};

/// (slug, display name) of the demo tenants, biggest first.
pub(super) const TENANTS: [(&str, &str); 20] = [
    ("acme", "Acme Corporation"),
    ("globex", "Globex Corporation"),
    ("initech", "Initech"),
    ("umbrella", "Umbrella Retail"),
    ("hooli", "Hooli"),
    ("stark", "Stark Industries"),
    ("wayne", "Wayne Enterprises"),
    ("wonka", "Wonka Confectionery"),
    ("soylent", "Soylent Foods"),
    ("cyberdyne", "Cyberdyne Systems"),
    ("tyrell", "Tyrell Corporation"),
    ("aperture", "Aperture Science"),
    ("vandelay", "Vandelay Industries"),
    ("dunder-mifflin", "Dunder Mifflin Paper"),
    ("pied-piper", "Pied Piper"),
    ("oscorp", "Oscorp"),
    ("monarch", "Monarch Outfitters"),
    ("massive-dynamic", "Massive Dynamic"),
    ("nakatomi", "Nakatomi Trading"),
    ("blue-sun", "Blue Sun"),
];

pub(super) const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];

const FIRST_NAMES: [&str; 32] = [
    "Ada", "Alan", "Amara", "Ben", "Chen", "Clara", "David", "Elena", "Emeka", "Fatima", "Felix", "Grace", "Hana",
    "Hugo", "Ines", "Ivan", "Jonas", "Julia", "Kenji", "Lea", "Lucas", "Maya", "Mateo", "Nora", "Omar", "Priya",
    "Rosa", "Sami", "Sofia", "Tom", "Yara", "Zoe",
];

const LAST_NAMES: [&str; 32] = [
    "Adler",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lopez",
    "Martin",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmer",
    "Novak",
    "Moreau",
    "Lindqvist",
    "Kim",
    "Brown",
];

const ADJECTIVES: [&str; 24] = [
    "Classic",
    "Compact",
    "Deluxe",
    "Eco",
    "Ergonomic",
    "Essential",
    "Heavy-duty",
    "Lightweight",
    "Modern",
    "Organic",
    "Portable",
    "Premium",
    "Rugged",
    "Sleek",
    "Smart",
    "Vintage",
    "Wireless",
    "Handmade",
    "Foldable",
    "Insulated",
    "Minimalist",
    "Recycled",
    "Waterproof",
    "Everyday",
];

const MATERIALS: [&str; 16] = [
    "Bamboo",
    "Canvas",
    "Ceramic",
    "Copper",
    "Cotton",
    "Glass",
    "Leather",
    "Linen",
    "Maple",
    "Oak",
    "Steel",
    "Stone",
    "Walnut",
    "Wool",
    "Aluminium",
    "Cork",
];

const NOUNS: [&str; 32] = [
    "Backpack",
    "Blender",
    "Bottle",
    "Candle",
    "Chair",
    "Clock",
    "Desk",
    "Headphones",
    "Jacket",
    "Kettle",
    "Keyboard",
    "Lamp",
    "Mug",
    "Notebook",
    "Pan",
    "Pillow",
    "Planter",
    "Rug",
    "Scarf",
    "Shelf",
    "Sneakers",
    "Speaker",
    "Stool",
    "Sunglasses",
    "Teapot",
    "Tote",
    "Towel",
    "Tray",
    "Umbrella",
    "Wallet",
    "Watch",
    "Vase",
];

const TOPICS: [&str; 16] = [
    "shipping",
    "returns",
    "gift cards",
    "loyalty points",
    "sustainability",
    "our new collection",
    "care instructions",
    "sizing",
    "the holiday season",
    "payment options",
    "customer support",
    "product recalls",
    "store openings",
    "subscriptions",
    "bulk orders",
    "packaging",
];

const TITLE_TEMPLATES: [&str; 8] = [
    "Everything you need to know about {}",
    "How we are improving {}",
    "An update on {}",
    "Five questions about {}, answered",
    "What changes in {} this quarter",
    "A short guide to {}",
    "Behind the scenes: {}",
    "Your feedback on {}",
];

const SENTENCES: [&str; 16] = [
    "We have listened to your feedback and made a few changes.",
    "Most orders now leave our warehouse within one business day.",
    "You can track every step from the order page.",
    "Our support team is available seven days a week.",
    "Prices shown include all applicable taxes.",
    "Members get early access to new products.",
    "We work with carriers that offset their emissions.",
    "Returns are free within thirty days of delivery.",
    "Some items may ship separately to get to you sooner.",
    "We will keep this page updated as things change.",
    "Thank you for shopping with us.",
    "Questions? Reply to any of our e-mails and a person will answer.",
    "Stock levels are refreshed every few minutes.",
    "Gift wrapping is available at checkout.",
    "Bulk discounts apply automatically to larger orders.",
    "We test every product before it goes on sale.",
];

const COMMENTS: [&str; 16] = [
    "Thanks, this was really helpful!",
    "Does this also apply to orders placed last week?",
    "Great news, looking forward to it.",
    "Could you clarify the part about returns?",
    "My parcel arrived a day early, impressive.",
    "Is there a way to change the delivery address after ordering?",
    "Love the new packaging.",
    "Please add more sizes!",
    "The tracking link did not work for me.",
    "Very clear, thank you.",
    "When will this be available in my country?",
    "Five stars for the support team.",
    "I would like to see more eco-friendly options.",
    "Can I combine this with a gift card?",
    "Buy cheap followers at this link!!!",
    "First!",
];

pub(super) fn word<'a>(rng: &mut StdRng, words: &'a [&'a str]) -> &'a str {
    pick(rng, words).copied().unwrap_or_default()
}

pub(super) fn person(rng: &mut StdRng) -> (&'static str, &'static str) {
    (word(rng, &FIRST_NAMES), word(rng, &LAST_NAMES))
}

pub(super) fn product_name(rng: &mut StdRng) -> String {
    format!("{} {} {}", word(rng, &ADJECTIVES), word(rng, &MATERIALS), word(rng, &NOUNS))
}

pub(super) fn article_title(rng: &mut StdRng) -> String {
    word(rng, &TITLE_TEMPLATES).replacen("{}", word(rng, &TOPICS), 1)
}

pub(super) fn article_body(rng: &mut StdRng) -> String {
    let paragraphs = 2 + below(rng, 4);
    let mut body = String::new();
    for p in 0..paragraphs {
        if p > 0 {
            body.push_str("\n\n");
        }
        let sentences = 2 + below(rng, 4);
        for s in 0..sentences {
            if s > 0 {
                body.push(' ');
            }
            body.push_str(word(rng, &SENTENCES));
        }
    }
    body
}

/// A comment body; the last two entries are the spam that moderators remove.
pub(super) fn comment(rng: &mut StdRng, spam: bool) -> &'static str {
    let (from, to) = if spam { (COMMENTS.len() - 2, COMMENTS.len()) } else { (0, COMMENTS.len() - 2) };
    COMMENTS.get(from + below(rng, to - from)).copied().unwrap_or_default()
}
