import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { createComplexityRule, simpleEstimator } from 'graphql-query-complexity';

// Every `visitor` field a query names is a LogUp DB read, and aliases let one request
// name it hundreds of times. Refuse a query that asks for too much before any
// resolver runs: each field costs 1, `{ visitor { idSubscription plan } }` costs 3,
// and 300 aliases of it (900) answer 400 "The query exceeds the maximum complexity".
export const graphqlOptions: ApolloDriverConfig = {
  driver: ApolloDriver,
  autoSchemaFile: true,
  validationRules: [
    createComplexityRule({ maximumComplexity: 50, estimators: [simpleEstimator({ defaultComplexity: 1 })] }),
  ],
};
