// Testing Library matchers and the browser APIs jsdom lacks but Grafana UI touches.
require('@testing-library/jest-dom');

if (typeof window !== 'undefined') {
  // jsdom has no 2D canvas: components must cope with a null context (drawing is tested on a recording context).
  HTMLCanvasElement.prototype.getContext = () => null;
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener() {},
      removeListener() {},
      addEventListener() {},
      removeEventListener() {},
      dispatchEvent: () => false,
    }),
  });
  global.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  global.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
