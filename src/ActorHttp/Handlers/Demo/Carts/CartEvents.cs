namespace ActorHttp.Handlers.Demo.Carts;

/// <summary>What a cart stores in the journal: its events and snapshots, serialized by <see cref="CartEventSerializer"/>.</summary>
public interface ICartPersisted;

/// <summary><paramref name="Quantity"/> more of <paramref name="Sku"/> went into the cart.</summary>
public sealed record ItemAdded(string Sku, int Quantity) : ICartPersisted;

/// <summary>Every unit of <paramref name="Sku"/> left the cart.</summary>
public sealed record ItemRemoved(string Sku) : ICartPersisted;

/// <summary>The cart's lines at one point, so a long-lived cart does not replay its whole history.</summary>
public sealed record CartSnapshot(IReadOnlyList<CartLine> Items) : ICartPersisted;

/// <summary>One line of a cart, as stored and as answered.</summary>
public sealed record CartLine(string Sku, int Quantity);

/// <summary>The body of POST /carts/{id}.</summary>
public sealed record CartItemInput(string? Sku, int? Quantity);

/// <summary>The answer to GET /carts/{id}.</summary>
public sealed record CartView(string Id, IReadOnlyList<CartLine> Items);
