import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs.ts';

// A vitest setup file: runs in every test file, after its other afterAll hooks have stopped the
// processes that wrote into the directories.
afterAll(removeTempDirs);
