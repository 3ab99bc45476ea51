// Names for the generated API types the pages use. Every request and
// response type comes from schema.d.ts; nothing here is written by hand.
import type { Schemas } from "./client";

export type Money = Schemas["Money"];
export type ProductSummary = Schemas["CatalogProductSummary"];
export type ProductPage = Schemas["CatalogProductPage"];
export type Product = Schemas["CatalogProduct"];
export type Variant = Schemas["CatalogVariant"];
export type Facets = Schemas["CatalogFacets"];
export type FacetValue = Schemas["CatalogFacetValue"];
export type CategoryNode = Schemas["CatalogCategoryNode"];
export type Collection = Schemas["CatalogCollection"];
export type Suggestion = Schemas["CatalogSuggestion"];
export type Cart = Schemas["Cart"];
export type CartLine = Schemas["CartLine"];
export type CartWarning = Schemas["CartWarning"];
export type CartAddress = Schemas["CartAddress"];
export type User = Schemas["IdentityUser"];
export type Address = Schemas["IdentityAddress"];
export type AddressInput = Schemas["IdentityAddressInput"];
export type PaymentMethod = Schemas["PaymentMethod"];
export type Recommendations = Schemas["IdentityRecommendations"];
