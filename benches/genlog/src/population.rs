//! What the PostgreSQL and MariaDB generators share about their clients:
//! addresses, how a population draws its kinds and skews their activity, and
//! which client and session the next line goes to.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A client address in the VPC (`10.0-7.x.y`).
pub(crate) fn ipv4(rng: &mut ChaCha8Rng) -> String {
    let b = rng.random_range(0..8u8);
    let c = rng.random_range(0..=255u8);
    let d = rng.random_range(4..=250u8);
    format!("10.{b}.{c}.{d}")
}

/// A client address in the VPC's IPv6 block.
pub(crate) fn ipv6(rng: &mut ChaCha8Rng) -> String {
    format!(
        "2600:1f18:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
        rng.random_range(0x100..0xfffu16),
        rng.random_range(0x1000..0xffffu16),
        rng.random_range(0x1000..0xffffu16),
        rng.random_range(0x10..0xffffu16),
        rng.random_range(0x10..0xffffu16),
        rng.random_range(0x10..0xffffu16),
    )
}

/// One to `max` IPv4 addresses (a client's hosts).
pub(crate) fn addrs(rng: &mut ChaCha8Rng, max: usize) -> Vec<String> {
    let n = rng.random_range(1..=max);
    (0..n).map(|_| ipv4(rng)).collect()
}

/// How a population of `n` clients draws its kinds: with 20 clients or more
/// the first few are the special kinds, in order (setups that must show up
/// however rare); every other client is a common kind drawn by weight.
pub(crate) struct Kinds<'k, K> {
    special: &'k [K],
    common: &'k [(K, u32)],
    total_weight: u32,
}

impl<'k, K: Copy> Kinds<'k, K> {
    pub fn new(n: usize, special: &'k [K], common: &'k [(K, u32)]) -> Self {
        let specials = if n >= 20 {
            special.len().min(n / 10 + 6)
        } else {
            0
        };
        Kinds {
            special: &special[..specials],
            common,
            total_weight: common.iter().map(|c| c.1).sum(),
        }
    }

    /// Whether client `i` is one of the special kinds.
    pub fn is_special(&self, i: usize) -> bool {
        i < self.special.len()
    }

    /// The kind of client `i`.
    pub fn of(&self, rng: &mut ChaCha8Rng, i: usize) -> K {
        if let Some(&k) = self.special.get(i) {
            return k;
        }
        let mut r = rng.random_range(0..self.total_weight);
        for &(kind, w) in self.common {
            if r < w {
                return kind;
            }
            r -= w;
        }
        self.common[0].0
    }
}

/// A client's activity: Zipf-ish skew on top of its kind's own weight, and
/// pooled clients, whose sessions stay open, connect less.
pub(crate) fn skewed_weight(rng: &mut ChaCha8Rng, weight: f64, pooled: bool) -> f64 {
    let mut weight = weight * (1.0 / (1.0 + rng.random_range(0.0..12.0f64)).powf(0.9));
    if pooled {
        weight *= 0.15;
    }
    weight
}

/// How many of `n` clients get a quirk given to one in `per`: at least one
/// once there are 8 clients, none before.
pub(crate) fn few(n: usize, per: usize) -> usize {
    if n >= 8 { (n / per).max(1) } else { 0 }
}

/// Makes the clients `taken` for a quirk connect often enough to be seen.
pub(crate) fn seen_often<'c>(weights: impl Iterator<Item = &'c mut f64>, taken: &[bool]) {
    for (weight, &t) in weights.zip(taken) {
        if t {
            *weight = weight.max(0.25);
        }
    }
}

/// Picks clients in proportion to their weights.
pub(crate) struct ByWeight {
    cumulative: Vec<f64>,
}

impl ByWeight {
    pub fn new(weights: impl Iterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        ByWeight {
            cumulative: weights
                .map(|w| {
                    acc += w;
                    acc
                })
                .collect(),
        }
    }

    /// The index of the next client.
    pub fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = *self.cumulative.last().unwrap();
        let x = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

/// How many sessions stay open: below `lo` a connection event starts one,
/// above `hi` it ends one, in between either.
pub(crate) struct OpenSessions {
    pub lo: usize,
    pub hi: usize,
}

impl OpenSessions {
    /// For a population of `clients`.
    pub fn for_clients(clients: usize) -> Self {
        OpenSessions {
            lo: (clients / 4).max(4),
            hi: (clients / 2).max(8),
        }
    }

    /// Whether the next connection event starts a session, with `open` open.
    pub fn starts(&self, rng: &mut ChaCha8Rng, open: usize) -> bool {
        if open < self.lo {
            true
        } else if open > self.hi {
            false
        } else {
            rng.random_bool(0.5)
        }
    }
}

/// A random index of `items` (not empty), drawn again, up to `retries`
/// times, while `accept` turns it down.
pub(crate) fn draw_index<T>(
    rng: &mut ChaCha8Rng,
    items: &[T],
    retries: usize,
    mut accept: impl FnMut(&T, &mut ChaCha8Rng) -> bool,
) -> usize {
    let mut idx = rng.random_range(0..items.len());
    for _ in 0..retries {
        if accept(&items[idx], rng) {
            break;
        }
        idx = rng.random_range(0..items.len());
    }
    idx
}
