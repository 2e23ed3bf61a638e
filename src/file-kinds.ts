/** Header files: their macros and static inline functions are visible to the files that include them. */
export const HEADER = /\.(h|hh|hpp|hxx|inc)$/;
