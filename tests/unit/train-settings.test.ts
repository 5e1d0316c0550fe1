/** The Train view's settings: the lesson hash bounds and the settings a saved checkpoint resumes with. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_SETTINGS, settingsFromCheckpoint, trainerSettings, trainSettingsFromHash, type TrainViewSettings } from '../../src/ui/train/settings.js';

/** A record's settings as the training worker saves them: the trainer's, plus the view's own. */
function saved(v: TrainViewSettings, device: 'webgpu' | 'wasm') {
  return { ...trainerSettings(v), batch: v.batch, seed: v.seed, data: 'pairs.jsonl', device, probeEvery: v.probeEvery, probeFamily: v.probeFamily } as unknown as Record<string, unknown>;
}

describe('Train view settings', () => {
  it('the learning rate in a link goes up to 1, as lab train --lr does, and no further', () => {
    expect(trainSettingsFromHash({ tlr: '1' }).lr).toBe(1);
    expect(trainSettingsFromHash({ tlr: '5' }).lr).toBe(1);
    expect(trainSettingsFromHash({ tlr: '0.01' }).lr).toBe(0.01);
  });

  it('a checkpoint resumes with the settings it was trained with, not the form\'s', () => {
    const trained: TrainViewSettings = { ...DEFAULT_TRAIN_SETTINGS, model: 'tiny-b', objective: 'cdpo', beta: 0.3, eps: 0.2, alpha: 0.5, mask: true, lr: 3e-4, steps: 12, batch: 4, seed: 9, probeEvery: 3, probeFamily: 'arithmetic' };
    const form: TrainViewSettings = { ...DEFAULT_TRAIN_SETTINGS, stepMode: true, source: 'file' };
    const s = settingsFromCheckpoint({ base: 'tiny-b', steps: 12, settings: saved(trained, 'wasm') }, form);
    expect(s).toEqual({ ...trained, device: 'wasm', stepMode: true, source: 'file' });
  });

  it('an SFT checkpoint resumes as SFT; what a lab train checkpoint lacks comes from the form', () => {
    const sft: TrainViewSettings = { ...DEFAULT_TRAIN_SETTINGS, objective: 'sft', lr: 2e-5 };
    const { probeEvery: _p, probeFamily: _f, ...cli } = saved(sft, 'webgpu');
    const form: TrainViewSettings = { ...DEFAULT_TRAIN_SETTINGS, probeEvery: 7, probeFamily: 'blocksworld' };
    const s = settingsFromCheckpoint({ base: 'tiny-a', steps: 24, settings: cli }, form);
    expect(s.objective).toBe('sft');
    expect(s.lr).toBe(2e-5);
    expect(s.device).toBe('webgpu');
    expect([s.probeEvery, s.probeFamily]).toEqual([7, 'blocksworld']);
  });

  it('refuses a checkpoint of a start model the view does not train', () => {
    expect(() => settingsFromCheckpoint({ base: 'checkpoints/dpo-1', steps: 4, settings: {} }, DEFAULT_TRAIN_SETTINGS)).toThrow(/trained from checkpoints\/dpo-1: the Train view continues only tiny-a and tiny-b/);
  });
});
