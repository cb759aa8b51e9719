/** The console's build (build.mjs), for TypeScript callers such as the vitest config. */
export declare const CONSOLE_DIST: string
export declare function buildConsole(options?: { quiet?: boolean }): Promise<Record<string, number>>
