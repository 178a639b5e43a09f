"""Tests of the jazz helpers (W1A3): chords, the grammar and its inverse, clean-up, training windows, MIDI,
the synthesizer, the shipped weights, and music generated for 8 seeds; bad input gets clear errors."""
import json
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

from utils import music_model as mm
from utils import music_synth as ms
from utils import music_utils as mu
from utils.music_utils import Note
from utils.notebook_tools import ROOT, load_definitions
from utils.testing import summarize_model

NOTEBOOK = ROOT / "Week-1" / "W1A3_Jazz_Improvisation" / "Improvise_a_Jazz_Solo_with_an_LSTM.ipynb"


@pytest.fixture(scope="module")
def pieces():
    return mu.load_lead_sheets()


@pytest.fixture(scope="module")
def data():
    return mu.load_music_data()


@pytest.fixture(scope="module")
def trained(data):
    """The shared layers with the shipped weights, and the vocabulary."""
    X, Y, n_values, indices_values, _ = data
    LSTM_cell, densor, reshaper = mm.shared_layers(n_values)
    vocabulary = [indices_values[i] for i in range(n_values)]
    info = mm.load_weights(LSTM_cell, densor, vocabulary)
    return LSTM_cell, densor, reshaper, indices_values, info


# --- chords ---------------------------------------------------------------------------------

@pytest.mark.parametrize("figure, root, tones, quality", [
    ("F7", 5, {5, 9, 0, 3}, "dominant"),
    ("Bb7", 10, {10, 2, 5, 8}, "dominant"),  # music21 alone would read this as B with a flat seventh
    ("Bbmaj7", 10, {10, 2, 5, 9}, "major"),
    ("Gm7", 7, {7, 10, 2, 5}, "minor"),
    ("Dm7b5", 2, {2, 5, 8, 0}, "half-diminished"),
    ("Cdim7", 0, {0, 3, 6, 9}, "diminished"),
    ("Caug", 0, {0, 4, 8}, "augmented"),
    ("Csus4", 0, {0, 5, 7}, "suspended"),
    ("Ebm7", 3, {3, 6, 10, 1}, "minor"),
    ("C/E", 0, {0, 4, 7}, "major"),
])
def test_make_chord(figure, root, tones, quality):
    chord = mu.make_chord(figure)
    assert (chord.root, set(chord.tones), chord.quality, chord.figure) == (root, tones, quality, figure)


def test_parse_progression_and_bad_chords():
    chords = mu.parse_progression("F7 | Bb7 C7 |")
    assert [(c.figure, c.offset, c.duration) for c in chords] == [("F7", 0, 4), ("Bb7", 4, 2), ("C7", 6, 2)]
    assert len(mu.parse_progression(mu.BLUES_IN_F)) == 12
    with pytest.raises(ValueError, match="H7"):
        mu.parse_progression("F7 | H7")
    with pytest.raises(ValueError, match="empty"):
        mu.parse_progression(" | ")


def test_chord_at_and_transpose_chord():
    chords = mu.parse_progression("F | C7 | Am/C")
    assert mu.chord_at(chords, -1.0).figure == "F"  # a pickup takes the first chord
    assert mu.chord_at(chords, 4.0).figure == "C7" and mu.chord_at(chords, 11.9).figure == "Am/C"
    up = mu.transpose_chord(chords[2], 2)
    assert up.figure == "Bm/D" and up.root == 11 and set(up.tones) == {11, 2, 6}


# --- roles and symbols ----------------------------------------------------------------------

@pytest.mark.parametrize("pitch, figure, role", [
    (65, "F", "C"), (69, "F", "C"), (67, "F", "L"), (70, "F", "S"), (68, "F", "A"), (70, "C", "X"),
    (63, "F7", "C"), (62, "F7", "L"), (71, "F7", "A"), (67, "Gm7", "C"), (69, "Gm7", "L"), (64, "Gm7", "S"),
])
def test_note_role(pitch, figure, role):
    assert mu.note_role(pitch, mu.make_chord(figure)) == role


def test_interval_bins_cover_every_step_once():
    for step in range(-20, 21):
        low, high = mu.bin_range(mu.interval_bin(step))
        assert low <= np.clip(step, -12, 12) <= high
    assert mu.interval_bin(0) == "0" and mu.interval_bin(4) == "+3..+5" and mu.interval_bin(-1) == "-2..-1"
    assert mu.bin_range("end") == (-12, 12)


@pytest.mark.parametrize("symbol", ["C:1/2:+1..+2", "R:1", "L:3/2:0", "A:1:end", "S:2:-12..-6"])
def test_symbols_round_trip(symbol):
    role, duration, interval = mu.parse_symbol(symbol)
    assert mu.make_symbol(role, duration, interval) == symbol


@pytest.mark.parametrize("bad", ["Q:1:0", "C:0:0", "C:1", "R:1:0", "C:x:0", "C:1:+1..", ""])
def test_malformed_symbols_are_rejected(bad):
    with pytest.raises(ValueError, match="not a grammar symbol"):
        mu.parse_symbol(bad)


# --- the corpus and the grammar -----------------------------------------------------------

def test_lead_sheets(pieces):
    assert [p.title for p in pieces] == ["Alexanders Ragtime Band", "Jeanie With The Light Brown Hair",
                                         "Cuckoo's Nest", "Little Czech Number"]
    for piece in pieces:
        assert len(piece.notes) > 40 and len(piece.chords) > 15 and piece.beats_per_bar == 4
        assert all(a.end <= b.offset + 1e-9 for a, b in zip(piece.melody, piece.melody[1:])), "overlapping notes"
        assert all(a.end == pytest.approx(b.offset) for a, b in zip(piece.chords, piece.chords[1:]))
    assert mu.make_chord("D/F#").tones == next(c for c in pieces[3].chords if c.figure == "D/F#").tones


def test_symbols_run_back_to_the_same_symbols_and_nearly_the_same_pitches(pieces):
    same_pitches = total = 0
    for piece in pieces:
        symbols = mu.melody_to_symbols(piece)
        for rng in (None, np.random.default_rng(0)):
            back = mu.symbols_to_notes(symbols, piece.chords, offset=piece.notes[0].offset, rng=rng)
            again = mu.melody_to_symbols(mu.Piece("", "", tuple(back), piece.chords, piece.length))
            # Only a leap of more than an octave (one, in Jeanie) cannot come back exactly.
            assert sum(a != b for a, b in zip(symbols, again)) <= 1
        pitches = [n.pitch for n in back if n.pitch is not None]
        same_pitches += sum(a == b.pitch for a, b in zip(pitches, piece.notes))
        total += len(piece.notes)
    assert same_pitches / total > 0.98


def test_symbols_to_notes_keeps_roles_range_and_time():
    rng = np.random.RandomState(0)
    chords = mu.parse_progression(mu.BLUES_IN_F)
    vocabulary = [f"{r}:{d}:{i}" for r in "CLSAX" for d in ("1/2", "1", "3/2") for i in
                  ("-5..-3", "-2..-1", "0", "+1..+2", "+6..+12")] + ["R:1/2", "R:1"]
    for _ in range(20):
        symbols = list(rng.choice(vocabulary, size=60))
        notes = mu.symbols_to_notes(symbols, chords, rng=np.random.default_rng(int(rng.randint(1000))), length=48)
        assert notes[0].offset == 0 and all(a.end == pytest.approx(b.offset) for a, b in zip(notes, notes[1:]))
        assert notes[-1].end <= 48 + 1e-9
        for symbol, note in zip(symbols, notes):
            role = mu.parse_symbol(symbol)[0]
            assert (note.pitch is None) == (role == "R")
            if note.pitch is not None:
                assert mu.SOLO_RANGE[0] <= note.pitch <= mu.SOLO_RANGE[1]
                chord = mu.chord_at(chords, note.offset)
                expected = role if mu.role_pitches(role, chord) else "C"
                assert mu.note_role(note.pitch, chord) == expected


def test_symbols_to_notes_needs_chords():
    with pytest.raises(ValueError, match="chord"):
        mu.symbols_to_notes(["C:1:0"], ())


def test_clean_up():
    notes = [Note(0, 1, 90), Note(0, 1, 60), Note(0.5, 1, 62), Note(2, 1, None), Note(3, 0.5, 64), Note(3.5, 0.5, 64),
             Note(4, 0.5, 64), Note(4.5, 0.5, 64), Note(5, 3, 41), Note(9, 1, 70)]
    cleaned = mu.clean_up(notes, length=7)
    assert [(n.offset, n.duration, n.pitch) for n in cleaned] == [
        (0, 0.5, 78),  # folded down an octave, cut where the next note starts; the note at the same time dropped
        (0.5, 1, 62),
        (3, 0.5, 64), (3.5, 1.5, 64),  # struck twice, then held instead of struck again
        (5, 2, 65)]  # folded up two octaves, cut at the length; the note after it dropped
    assert mu.clean_up([]) == []


def test_transposition_moves_everything_and_keeps_the_range(pieces):
    for piece in pieces:
        written = mu.melody_to_symbols(piece)
        for k in mu.TRANSPOSITIONS:
            moved = mu.transpose(piece, k)
            assert all(mu.SOLO_RANGE[0] <= n.pitch <= mu.SOLO_RANGE[1] for n in moved.notes)
            assert all((a.root - b.root) % 12 == k % 12 for a, b in zip(moved.chords, piece.chords))
            assert all((n.pitch - m.pitch - k) % 12 == 0 for n, m in zip(moved.notes, piece.notes))
            changed = sum(a != b for a, b in zip(mu.melody_to_symbols(moved), written))
            assert changed <= 4  # only the steps next to a folded note change


def test_excerpt(pieces):
    bars = mu.excerpt(pieces[0], bars=4, start_bar=1)
    assert bars.length == 16 and bars.chords[0].offset == 0 and bars.chords[-1].end == 16
    assert all(0 <= n.offset < 16 and n.end <= 16 for n in bars.melody)


def test_training_windows():
    sequences = [list("abcdeab"), list("abcdeab"), list("xy")]
    with pytest.warns(UserWarning, match="shorter than Tx"):
        X, Y = mu.make_training_windows(sequences, 4, mu.build_vocabulary(sequences))
    assert X.shape == (4, 4, 7) and Y.shape == (4, 4, 7)  # 4 distinct windows of the first sequence
    assert not X[:, 0].any() and np.array_equal(X[:, 1:], Y[:-1].swapaxes(0, 1))
    with pytest.raises(ValueError, match="Tx"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mu.make_training_windows([list("ab")], 4, ["a", "b"])


def test_load_music_data_matches_the_shipped_vocabulary(data):
    X, Y, n_values, indices_values, pieces = data
    vocabulary = [indices_values[i] for i in range(n_values)]
    assert vocabulary == sorted(vocabulary) and len(set(vocabulary)) == n_values
    assert X.shape == (318, 30, n_values) and Y.shape == (30, 318, n_values)
    assert np.all(X.sum(axis=-1)[:, 1:] == 1) and np.all(Y.sum(axis=-1) == 1)
    assert json.loads(mm.INFO_FILE.read_text())["vocabulary"] == vocabulary, "run `make models` again"


def test_measures():
    chords = mu.parse_progression("C")
    notes = [Note(0, 1, 60), Note(1, 1, 62), Note(2, 1, 65), Note(3, 1, 61), Note(3.5, 0.5, None)]
    assert mu.role_counts(notes, chords) == {"C": 1, "L": 1, "S": 1, "A": 1, "X": 0}
    assert mu.chord_scale_share(notes, chords) == 0.75
    with pytest.raises(ValueError):
        mu.chord_scale_share([Note(0, 1, None)], chords)
    baseline = mu.random_notes(notes, np.random.default_rng(0))
    assert [(n.offset, n.duration) for n in baseline] == [(n.offset, n.duration) for n in notes]
    assert baseline[-1].pitch is None


def test_loops_and_phrases():
    assert mu.find_loop(list("xyzabcabcabc")) == (3, 3)
    assert mu.find_loop(list("abcdef")) == (None, None)
    assert mu.find_loop(list("aaaa")) == (0, 1)
    assert mu.self_repetition(list("abcabc"), 3) == 0.5
    assert mu.self_repetition(list("ab"), 3) == 0.0
    assert mu.copied_share(list("abcd"), [list("xabcx")], 3) == 0.5
    assert mu.pitch_name(60) == "C4" and mu.pitch_name(70) == "Bb4"


# --- files ----------------------------------------------------------------------------------

def test_missing_and_corrupt_files_name_the_file(tmp_path):
    missing = tmp_path / "nothing_here.mxl"
    with pytest.raises(FileNotFoundError, match="nothing_here.mxl"):
        mu.load_piece(missing)
    with pytest.raises(FileNotFoundError, match="no_such_tune"):
        mu.load_piece("no_such_tune")
    corrupt = tmp_path / "corrupt.mid"
    corrupt.write_bytes(b"MThd" + bytes(range(40)))
    for reader in (mu.read_midi_melody, mu.load_piece):
        with pytest.raises(ValueError, match="corrupt.mid"):
            reader(corrupt)
    bad_xml = tmp_path / "broken.musicxml"
    bad_xml.write_text("<score-partwise><part", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.musicxml"):
        mu.load_piece(bad_xml)
    with pytest.raises(ValueError, match="no chord symbols"):
        mu.load_piece("bach/bwv66.6")


def test_midi_round_trip(tmp_path):
    chords = mu.parse_progression("F7 | Bb7")
    notes = [Note(0, 1.5, 65), Note(1.5, 0.5, 69), Note(3, 3, 72), Note(6, 2, 70)]  # one note crosses the barline
    path = mu.write_midi(notes, chords, tmp_path / "solo.mid")
    assert mu.read_midi_melody(path) == notes


# --- the synthesizer ------------------------------------------------------------------------

def test_adsr_and_tone():
    envelope = ms.adsr(0.5, 1000, attack=0.1, decay=0.1, sustain=0.5, release=0.2)
    assert envelope.size == 700 and envelope[0] == 0 and envelope.max() <= 1 and envelope[-1] < 0.01
    assert envelope[400] == pytest.approx(0.5, abs=0.03)  # sustained
    samples = ms.tone(69, 1.0, harmonics=(1.0,), release=0.01)
    spectrum = np.abs(np.fft.rfft(samples[:22050]))
    assert np.argmax(spectrum) == 440  # 1 Hz bins: A4 is 440 Hz
    assert ms.midi_to_hz(81) == pytest.approx(880)


def test_swing():
    times = ms.swung(np.array([0, 0.5, 1, 1.25, 1.5, 2.75]), 2 / 3)
    assert times == pytest.approx([0, 2 / 3, 1, 1 + 1 / 3, 1 + 2 / 3, 2 + 5 / 6])
    assert ms.swung(1.5, 0.5) == 1.5
    with pytest.raises(ValueError, match="swing"):
        ms.swung(0.5, 1.0)


def test_synthesize_and_wav_files(tmp_path):
    chords = mu.parse_progression("F7 | Bb7")
    notes = [Note(0, 1, 65), Note(1, 1, None), Note(2, 2, 72), Note(4, 4, 70)]
    audio = ms.synthesize(notes, chords, tempo=120)
    stats = ms.audio_stats(audio)
    assert stats["seconds"] == pytest.approx(8 * 0.5 + ms.RELEASE_TAIL, abs=0.01)
    assert stats["peak"] == pytest.approx(ms.PEAK, rel=1e-5) and stats["clipped"] == 0 and stats["rms_dbfs"] > -30
    path = ms.write_wav(tmp_path / "a.wav", audio)
    back, rate = ms.read_wav(path)
    assert rate == ms.SAMPLE_RATE and np.max(np.abs(back - audio)) < 1e-4
    times, frequencies, level = ms.spectrogram(audio)
    assert level.shape == (frequencies.size, times.size) and level.max() <= 0 and level.min() >= -100
    with pytest.raises(ValueError, match="clip"):
        ms.write_wav(tmp_path / "b.wav", audio * 2)
    with pytest.raises(ValueError, match="nothing to play"):
        ms.synthesize([], ())
    (tmp_path / "c.wav").write_bytes(b"RIFF....WAVEjunk")
    with pytest.raises(ValueError, match="c.wav"):
        ms.read_wav(tmp_path / "c.wav")
    with pytest.raises(FileNotFoundError, match="d.wav"):
        ms.read_wav(tmp_path / "d.wav")


# --- the model ------------------------------------------------------------------------------

def test_sample_with_temperature():
    p = np.array([0.1, 0.7, 0.2])
    assert mm.sample_with_temperature(p, 0) == 1
    draws = [mm.sample_with_temperature(p, 1.0, np.random.default_rng(3)) for _ in range(2)]
    assert draws[0] == draws[1]
    rng = np.random.default_rng(0)
    frequencies = np.bincount([mm.sample_with_temperature(p, 0.5, rng) for _ in range(3000)], minlength=3) / 3000
    assert frequencies == pytest.approx(p ** 2 / np.sum(p ** 2), abs=0.03)
    with pytest.raises(ValueError, match="temperature"):
        mm.sample_with_temperature(p, -0.5)
    with pytest.raises(ValueError, match="probabilities"):
        mm.sample_with_temperature([0.5, -0.1], 1.0)


def test_the_notebooks_djmodel_matches_the_training_model_of_make_models():
    djmodel = load_definitions(NOTEBOOK).djmodel
    layers = mm.shared_layers(11, n_a=8)
    assert summarize_model(djmodel(5, *layers)) == summarize_model(mm.unrolled_model(5, *layers))


def test_shipped_weights_reach_the_recorded_loss(data, trained):
    X, Y, *_ = data
    LSTM_cell, densor, reshaper, _, info = trained
    model = mm.unrolled_model(X.shape[1], LSTM_cell, densor, reshaper)
    assert mm.symbol_loss(model, X, Y) == pytest.approx(info["loss_per_symbol_nats"], abs=2e-3)
    assert info["loss_per_symbol_nats"] < 0.3


def test_bad_weights_files(tmp_path, trained):
    LSTM_cell, densor, _, indices_values, _ = trained
    vocabulary = [indices_values[i] for i in range(len(indices_values))]
    with pytest.raises(FileNotFoundError, match="missing.json"):
        mm.load_weights(LSTM_cell, densor, vocabulary, info_file=tmp_path / "missing.json")
    with pytest.raises(ValueError, match="another vocabulary"):
        mm.load_weights(LSTM_cell, densor, vocabulary[:-1])
    broken = tmp_path / "broken.weights.h5"
    broken.write_bytes(b"not an HDF5 file")
    with pytest.raises(ValueError, match="broken.weights.h5"):
        mm.load_weights(LSTM_cell, densor, vocabulary, weights_file=broken)
    with pytest.raises(FileNotFoundError, match="absent.weights.h5"):
        mm.load_weights(LSTM_cell, densor, vocabulary, weights_file=tmp_path / "absent.weights.h5")
    fresh_cell, fresh_densor, _ = mm.shared_layers(len(vocabulary), n_a=8)
    with pytest.raises(ValueError, match="units"):
        mm.load_weights(fresh_cell, fresh_densor, vocabulary)


def test_sampling_is_seeded_and_greedy_matches_the_argmax(trained):
    LSTM_cell, densor, *_ = trained
    a = mm.sample_indices(LSTM_cell, densor, Ty=30, temperature=1.0, seed=5, n=3)
    assert a.shape == (3, 30) and np.array_equal(a, mm.sample_indices(LSTM_cell, densor, Ty=30, temperature=1.0,
                                                                       seed=5, n=3))
    greedy = mm.sample_indices(LSTM_cell, densor, Ty=30, temperature=0)[0]
    x = np.zeros((1, 1, densor.units), dtype=np.float32)
    a_state = c_state = np.zeros((1, LSTM_cell.units), dtype=np.float32)
    for index in greedy:
        a_state, _, c_state = LSTM_cell(x, initial_state=[a_state, c_state])
        assert int(np.argmax(keras.ops.convert_to_numpy(densor(a_state)))) == index
        x = np.eye(densor.units, dtype=np.float32)[[index]][:, None, :]


def test_generate_music_for_8_seeds(tmp_path, trained):
    LSTM_cell, densor, _, indices_values, _ = trained
    blues_length = 48 * 60 / 140  # 12 bars of 4 beats at 140 beats per minute, in seconds
    for seed in range(8):
        solo = mm.generate_music(LSTM_cell, densor, indices_values, temperature=1.0, seed=seed, out_dir=tmp_path,
                                 name=f"solo_{seed}")
        notes = solo.notes
        assert len(notes) > 20, f"seed {seed}: only {len(notes)} notes"
        assert all(mu.SOLO_RANGE[0] <= n.pitch <= mu.SOLO_RANGE[1] for n in notes)
        assert all(a.end <= b.offset + 1e-9 for a, b in zip(notes, notes[1:])) and notes[-1].end <= 48 + 1e-9
        assert mu.read_midi_melody(solo.midi_path) == notes
        audio, rate = ms.read_wav(solo.wav_path)
        stats = ms.audio_stats(audio, rate)
        assert rate == 22050 and stats["clipped"] == 0 and 0.85 < stats["peak"] < 0.9
        assert blues_length - 1 < stats["seconds"] <= blues_length + ms.RELEASE_TAIL + 0.01
        assert mu.chord_scale_share(notes, solo.chords) > 0.6
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"solo_{s}.{ext}" for s in range(8)
                                                                for ext in ("mid", "wav"))


def test_generate_music_writes_only_plain_names(tmp_path, trained):
    LSTM_cell, densor, _, indices_values, _ = trained
    for name in ("../escape", "", ".hidden", "a/b"):
        with pytest.raises(ValueError, match="name"):
            mm.generate_music(LSTM_cell, densor, indices_values, out_dir=tmp_path, name=name)
    assert list(Path(tmp_path).iterdir()) == []
