import { MODULE_METADATA } from '@nestjs/common/constants';
import { controllerRoutes } from '@o2o/auth';
import { AdminApiModule, DeadLettersController, serviceApiDocument } from '@o2o/runtime';
import { documentProblems, openApiSchemaProblems } from '@o2o/testing';
import { ConsoleModule } from './console.module';
import { consoleService } from './console.service';

/** The controllers' classes a module declares (the console's feature module and the runtime's admin API import nothing with routes). */
function controllersOf(module: object): Array<{ prototype: unknown; name: string }> {
  return (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) as Array<{ prototype: unknown; name: string }> | undefined) ?? [];
}

/**
 * The console has no access-control suite of its own (its routes take a session, checked by the
 * browser spec), so its OpenAPI document is checked here against its controllers' routes, read
 * from the same decorators the route inventory reads.
 */
describe('the console OpenAPI document', () => {
  const document = serviceApiDocument(consoleService);
  const routes = controllerRoutes([...controllersOf(ConsoleModule), ...controllersOf(AdminApiModule), DeadLettersController]);

  it('is valid OpenAPI 3.1', async () => {
    expect(await openApiSchemaProblems(document)).toEqual([]);
  });

  it('states every route of the console, its session or scope and the one error body', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['GET /api/me', 'ALL /api/platform/:service/*']));
    expect(documentProblems(routes, document)).toEqual([]);
  });
});
