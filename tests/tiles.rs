//! The tile map's layout from `--data-dir`: a supplied `tiles.csv` is used, a bad one stops
//! the start with its line named (unknown region, duplicate position, bad number), and without
//! one the built-in layout is used.

use anju::{ServeConfig, StoreConfig};

fn start(tiles: Option<&str>) -> anyhow::Result<anju::AppState> {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    std::fs::create_dir(&data_dir).unwrap();
    if let Some(tiles) = tiles {
        std::fs::write(data_dir.join("tiles.csv"), tiles).unwrap();
    }
    let store = StoreConfig {
        db: dir.path().join("anju.db"),
        data_dir,
    };
    let config = ServeConfig {
        admin_password: Some("correct horse battery staple".into()),
        ..ServeConfig::default()
    };
    let state = anju::prepare(&store, config);
    drop(dir);
    state
}

#[test]
fn without_a_tiles_file_the_built_in_layout_places_all_21_cities() {
    let state = start(None).unwrap();
    assert_eq!(state.config.tile_layout.positions().len(), 21);
}

#[test]
fn a_supplied_tiles_file_is_the_layout() {
    let state = start(Some("region_code,row,col\n440100,0,0\n440300,0,1\n")).unwrap();
    let layout = &state.config.tile_layout;
    assert_eq!(layout.positions().len(), 2);
    assert_eq!(layout.position("440300").map(|p| (p.row, p.col)), Some((0, 1)));
    assert!(layout.position("440200").is_none());
}

#[test]
fn a_bad_tiles_file_stops_the_start_naming_each_bad_line() {
    for (file, line, words) in [
        (
            "region_code,row,col\n440100,0,0\n449999,0,1\n",
            "第 3 行",
            "未知地区代码“449999”",
        ),
        (
            "region_code,row,col\n440100,0,0\n440300,0,0\n",
            "第 3 行",
            "duplicate position",
        ),
        ("region_code,row,col\n440100,zero,0\n", "第 2 行", "row“zero”"),
        ("region_code,row,col\n440100,0,1.5\n", "第 2 行", "col“1.5”"),
        ("code,row,col\n440100,0,0\n", "第 1 行", "region_code"),
    ] {
        let error = format!("{:#}", start(Some(file)).err().expect(file));
        assert!(error.contains("tiles.csv"), "{error}");
        assert!(error.contains(line) && error.contains(words), "{file}: {error}");
    }
}
