use ad::differentiate;

struct Model {
    scale: f64,
}

impl Model {
    #[differentiate]
    fn loss(&mut self, x: f64) -> f64 {
        self.scale * x
    }
}

fn main() {}
