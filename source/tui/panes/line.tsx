// One line of a pane as styled pieces, cut to the pane's width by terminal columns. Ink would cut
// each piece on its own (and yoga squeezes rows), so wide characters could push a line past its
// column; cutting the pieces together here keeps every line inside it, with one ellipsis.
import { Text } from '../ink.js';
import { colour, type Colour } from '../colour.js';
import { truncateParts } from '../../text/width.js';

export interface Piece {
  text: string;
  bold?: boolean;
  dim?: boolean;
  color?: Colour;
}

export type Line = readonly Piece[];

export function FittedLine({ line, width, inverse }: { line: Line; width: number; inverse?: boolean }) {
  const kept = truncateParts(
    line.map((piece) => piece.text),
    width,
  );
  return (
    <Text wrap="truncate" inverse={inverse}>
      {kept.map((text, index) => {
        const piece = line[index]!;
        return (
          <Text key={index} bold={piece.bold} dimColor={piece.dim} color={colour(piece.color)}>
            {text}
          </Text>
        );
      })}
    </Text>
  );
}
