/**
 * Who sent a request, as far as its signature tells (the router's check, request-signature.ts):
 * `client` is the claimed client (null when unsigned), `verified` whether its signature was good.
 */
export interface RequestCaller {
  client: string | null;
  verified: boolean;
}

/** A request that carried no signature: nobody vouches for who sent it. */
export const UNSIGNED_CALLER: RequestCaller = { client: null, verified: false };

/** Who a decision is booked to, and whether a signature vouches for it. */
export interface Attribution {
  by: string;
  byVerified: boolean;
}

/**
 * A signed request's decision is booked to its verified client, whatever name it claims (any MQTT
 * client could claim `"manager"`); an unsigned one to the name it claims (`unnamed` without one),
 * marked unverified, so that the payment side and the books can tell the two apart.
 */
export function attribute(caller: RequestCaller, claimed: string | undefined): Attribution {
  if (caller.verified && caller.client !== null) return { by: caller.client, byVerified: true };
  return { by: claimed ?? 'unnamed', byVerified: false };
}
