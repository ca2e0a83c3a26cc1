// The console's colours: the 16 basic ones only, by name, so a 16-colour terminal shows what a
// true-colour one does; and none at all when NO_COLOR is set (no-color.org), where bold, dim and
// inverse stay. Colour only ever repeats what a mark or a word already says (›, [ ], !, ⚠).

/** The 16 colours every colour terminal has (SGR 30–37 and 90–97). */
export type Colour =
  | 'black'
  | 'red'
  | 'green'
  | 'yellow'
  | 'blue'
  | 'magenta'
  | 'cyan'
  | 'white'
  | 'gray'
  | 'redBright'
  | 'greenBright'
  | 'yellowBright'
  | 'blueBright'
  | 'magentaBright'
  | 'cyanBright'
  | 'whiteBright';

/** The colour to draw in, or none when the user asked for no colour (NO_COLOR set and not empty). */
export function colour(name: Colour | undefined, env: NodeJS.ProcessEnv = process.env): Colour | undefined {
  return env.NO_COLOR ? undefined : name;
}
