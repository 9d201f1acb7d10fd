import { foldText } from './text-folding';
import { normaliseName } from './name.normaliser';

describe('foldText', () => {
  it('folds Latin text to lower-case ASCII without accents', () => {
    expect(foldText('Müller-Lüdenscheidt')).toBe('muller-ludenscheidt');
    expect(foldText('Søren Łukasz Straße')).toBe('soren lukasz strasse');
  });

  it('leaves plain ASCII as it is, lower-cased', () => {
    expect(foldText('Mary Kusha')).toBe('mary kusha');
  });

  it('romanises names kept in another script, so they meet the same person written in Latin letters', () => {
    expect(foldText('Александр Павлович Васильев')).toBe('aleksandr pavlovich vasilev');
    expect(foldText('王小明')).toBe('wang xiao ming');
    expect(foldText('Μαρία')).toBe('maria');
  });

  it('romanises the same native text the same way every time, so native records still match each other', () => {
    expect(foldText('Андрей Смирнов')).toBe(foldText('андрей  смирнов').replace(/\s+/gu, ' '));
  });

  it('feeds the name normaliser: a Cyrillic name and its romanisation share their surname', () => {
    const native = normaliseName('Васильев');
    const latin = normaliseName('Vasilev');
    expect(native.ok && latin.ok && native.value).toBe(latin.ok && latin.value);
  });
});
