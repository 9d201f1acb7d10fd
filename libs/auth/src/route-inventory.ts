import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ROUTE_ACCESS, RouteAccess } from './route-access';

/** One HTTP route of a service and what it requires (undefined: nothing declared). */
export interface RouteEntry {
  method: string;
  /** Nest's path pattern, e.g. /v1/customers/:id/value. */
  path: string;
  controller: string;
  access: RouteAccess | undefined;
}

interface AppLike {
  get<T>(type: abstract new (...args: never[]) => T): T;
}

function paths(value: string | string[] | undefined): string[] {
  return Array.isArray(value) ? value : [value ?? ''];
}

function joinPath(...parts: string[]): string {
  const segments = parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  return `/${segments.join('/')}`;
}

/** Every route of these controller classes, with its declared access, sorted by path then method. */
export function controllerRoutes(
  types: ReadonlyArray<{ readonly prototype: unknown; readonly name: string }>,
  scanner = new MetadataScanner(),
): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const type of types) {
    const prototype = type.prototype as Record<string, unknown>;
    const classPath = Reflect.getMetadata(PATH_METADATA, type) as string | string[] | undefined;
    const classAccess = Reflect.getMetadata(ROUTE_ACCESS, type) as RouteAccess | undefined;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (methodPath === undefined || method === undefined) continue;
      const access = (Reflect.getMetadata(ROUTE_ACCESS, handler) as RouteAccess | undefined) ?? classAccess;
      // A handler may answer several paths (and a controller have several prefixes): one entry each.
      for (const prefix of paths(classPath)) {
        for (const path of paths(methodPath))
          routes.push({ method: RequestMethod[method], path: joinPath(prefix, path), controller: type.name, access });
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** Every route of a running Nest application, with its declared access. */
export function routeInventory(app: AppLike): RouteEntry[] {
  const types = app
    .get(DiscoveryService)
    .getControllers()
    .map((wrapper) => wrapper.metatype)
    .filter((type) => typeof type === 'function');
  return controllerRoutes(types, app.get(MetadataScanner));
}

/** Routes that declare nothing: a service with any refuses to start. */
export function undeclaredRoutes(app: AppLike): RouteEntry[] {
  return routeInventory(app).filter((r) => r.access === undefined);
}
