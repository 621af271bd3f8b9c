/**
 * The Lambda runtimes svl can run locally (and `svl deploy` accepts): the one list the CLI's flag
 * validation and the emulator's CreateFunction validation share. It says nothing about how each
 * runtime is started; that is the emulator's business (src/local/lambda/runtime).
 */
export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
export const PYTHON_RUNTIMES = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'];
export const PROVIDED_RUNTIMES = ['provided.al2', 'provided.al2023'];
export const SUPPORTED_RUNTIMES = [...NODE_RUNTIMES, ...PYTHON_RUNTIMES, ...PROVIDED_RUNTIMES];
