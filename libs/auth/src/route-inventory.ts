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

/** Every route of a running Nest application, with its declared access. */
export function routeInventory(app: AppLike): RouteEntry[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const routes: RouteEntry[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype;
    if (typeof type !== 'function') continue;
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

/** Routes that declare nothing: a service with any refuses to start. */
export function undeclaredRoutes(app: AppLike): RouteEntry[] {
  return routeInventory(app).filter((r) => r.access === undefined);
}
