export { startGateway, type Gateway, type GatewayOptions } from './server.js';
export { queryRoutes } from './routes.js';
