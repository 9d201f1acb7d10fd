import { Injectable } from '@nestjs/common';
import { Clock } from '../application/clock';

/** The machine's clock. */
@Injectable()
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
