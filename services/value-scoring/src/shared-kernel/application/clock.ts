/** The time use cases read, so a test can set it. An abstract class: the Nest injection token too. */
export abstract class Clock {
  abstract now(): Date;
}
