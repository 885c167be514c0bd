// What the offline tools print in place of values they must not or cannot show.

/** Any secret value. */
export const SECRET_PLACEHOLDER = "[secret]";
/** A value the engine would not know during a preview (an output of something being created or changed). */
export const UNKNOWN_PLACEHOLDER = "[unknown]";
