/// Handlers and the router that picks one by method and path, answering 404 and 405 itself.

/// Anything that answers requests. Connections are generic over it, so an app's handler
/// is specialised into the connection at build time: no existentials, no indirection.
public protocol HTTPHandler {
    /// Writes the response to `request` into `response`. Must not keep `request`'s buffers.
    mutating func respond(to request: HTTPRequest, with response: inout HTTPResponseWriter)
    /// Decides, once a request's head is complete and before any content is read, where its
    /// content goes (see `HTTPContentHandling`). The default collects it.
    mutating func contentHandling(for request: HTTPRequest) -> HTTPContentHandling
    /// Takes the next run of a `.stream` request's content, de-chunked, in order. After the
    /// last run comes `respond(to:with:)` (with an empty `body`), or, if the request fails or
    /// the connection goes first, `connectionEnded(_:)`.
    mutating func receiveContent(_ bytes: UnsafeRawBufferPointer, connection: Int)
    /// Says the transport dropped connection `connection` (its `HTTPRequest.connection`):
    /// state kept for it, such as a half-received upload, can go.
    mutating func connectionEnded(_ connection: Int)
}

/// Routes requests to closures by method and path.
///
/// Routes are tried in the order they were added; the first whose path and method match
/// handles the request. A HEAD request falls back to the GET route for its path, with the
/// content suppressed by the writer (RFC 9110 §9.3.2). A path that matches only with other
/// methods gets 405 with an Allow field (RFC 9110 §15.5.6: the origin server MUST generate
/// Allow in a 405); a path that matches nothing gets 404.
///
/// `Context` is the handlers' shared mutable state (a key-value store, counters): each
/// handler receives it `inout`, so no handler needs a class to keep state.
public struct HTTPRouter<Context>: HTTPHandler {
    /// A route's handler.
    public typealias Handler = (inout Context, HTTPRequest, inout HTTPResponseWriter) -> Void

    /// How a route's path is compared with a request's path (percent-encoding untouched,
    /// query excluded).
    public enum PathMatch: Sendable {
        /// The paths are equal.
        case exact
        /// The request's path starts with the route's path.
        case prefix
    }

    struct Route {
        let method: HTTPMethod
        let path: StaticString
        let match: PathMatch
        let handler: Handler
    }

    /// The state every handler receives.
    public var context: Context
    var routes: [Route] = []

    /// A router without routes: every request gets 404 until routes are added.
    public init(context: Context) {
        self.context = context
    }

    /// Adds a route. Call while setting up; routes are stored once and never copied per request.
    public mutating func add(_ method: HTTPMethod, _ path: StaticString, matching match: PathMatch = .exact,
                             _ handler: @escaping Handler) {
        routes.append(Route(method: method, path: path, match: match, handler: handler))
    }

    /// The methods routed for `path`, HEAD included wherever GET is.
    public func allowedMethods(for path: UnsafeRawBufferPointer) -> HTTPMethodSet {
        var methods = HTTPMethodSet()
        for route in routes where Self.matches(route, path) {
            methods.insert(route.method)
            if route.method == .get { methods.insert(.head) }
        }
        return methods
    }

    public mutating func respond(to request: HTTPRequest, with response: inout HTTPResponseWriter) {
        if let index = routeIndex(method: request.method, path: request.path)
            ?? (request.method == .head ? routeIndex(method: .get, path: request.path) : nil) {
            routes[index].handler(&context, request, &response)
            return
        }
        let allowed = allowedMethods(for: request.path)
        guard allowed.isEmpty else { return response.respondMethodNotAllowed(allowing: allowed) }
        response.respond(status: .notFound)
    }

    /// The first route for `method` whose path matches.
    func routeIndex(method: HTTPMethod, path: UnsafeRawBufferPointer) -> Int? {
        for index in routes.indices where routes[index].method == method && Self.matches(routes[index], path) {
            return index
        }
        return nil
    }

    static func matches(_ route: Route, _ path: UnsafeRawBufferPointer) -> Bool {
        let routePath = UnsafeRawBufferPointer(start: route.path.utf8Start, count: route.path.utf8CodeUnitCount)
        switch route.match {
        case .exact: return ASCII.equals(path, route.path)
        case .prefix: return ASCII.hasPrefix(path, routePath)
        }
    }
}

extension HTTPRouter where Context == Void {
    /// A router whose handlers share no state.
    public init() {
        self.init(context: ())
    }
}
