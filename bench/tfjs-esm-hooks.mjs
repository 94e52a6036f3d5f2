// Node module hooks that let Node load tfjs-core's ESM build (dist/**/*.js), which is written for
// bundlers: its relative imports have no extension and its package has no "type": "module".
// Registered by peer-tfjs.mjs only to load dist/register_all_gradients.js (see there).
const DIST = "/@tensorflow/tfjs-core/dist/";

export async function resolve(specifier, context, next) {
  const inDist = context.parentURL?.includes(DIST) && specifier.startsWith(".");
  if (inDist && !/\.(m?js|json)$/.test(specifier)) {
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.includes(DIST) && url.endsWith(".js") && !/\/tf-core\.[^/]*js$/.test(url)) {
    return next(url, { ...context, format: "module" });
  }
  return next(url, context);
}
