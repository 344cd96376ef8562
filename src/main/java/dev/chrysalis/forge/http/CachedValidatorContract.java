package dev.chrysalis.forge.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.file.FileSystem;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed contract, except that request validators are built once per schema instead of per
 * request. vertx-openapi 5.0 asks the schema repository for a new validator for every parameter and
 * body it checks, and each one copies the repository's whole lookup map: with our contract that
 * was about a quarter of the CPU of a chat call. Validators hold no per-call state
 * ({@code validate} allocates its own), so one per schema is safe to share.
 */
final class CachedValidatorContract implements OpenAPIContract {

  private final OpenAPIContract contract;
  private final SchemaRepository schemas;
  /** False in the view whose operations have no request body (for validating parameters only). */
  private final boolean bodies;

  CachedValidatorContract(OpenAPIContract contract) {
    this(contract, new CachingRepository(contract.getSchemaRepository()), true);
  }

  private CachedValidatorContract(OpenAPIContract contract, SchemaRepository schemas, boolean bodies) {
    this.contract = contract;
    this.schemas = schemas;
    this.bodies = bodies;
  }

  /**
   * The same contract with no request body on any operation: a validator over it checks the
   * parameters only, for the operations whose body is checked in code ({@link Routes.BodyCheck}).
   */
  CachedValidatorContract parametersOnly() {
    return new CachedValidatorContract(contract, schemas, false);
  }

  @Override
  public SchemaRepository getSchemaRepository() {
    return schemas;
  }

  @Override
  public Operation operation(String operationId) {
    Operation op = contract.operation(operationId);
    return bodies || op == null ? op : new Bodyless(op);
  }

  @Override
  public List<Operation> operations() {
    return contract.operations();
  }

  @Override
  public List<Path> getPaths() {
    return contract.getPaths();
  }

  @Override
  public JsonObject getRawContract() {
    return contract.getRawContract();
  }

  @Override
  public OpenAPIVersion getVersion() {
    return contract.getVersion();
  }

  @Override
  public List<Server> getServers() {
    return contract.getServers();
  }

  @Override
  public Path findPath(String urlPath) {
    return contract.findPath(urlPath);
  }

  @Override
  public Operation findOperation(String urlPath, HttpMethod method) {
    return contract.findOperation(urlPath, method);
  }

  @Override
  public List<SecurityRequirement> getSecurityRequirements() {
    return contract.getSecurityRequirements();
  }

  @Override
  public SecurityScheme securityScheme(String name) {
    return contract.securityScheme(name);
  }

  private record Bodyless(Operation op) implements Operation {

    @Override
    public String getOperationId() {
      return op.getOperationId();
    }

    @Override
    public HttpMethod getHttpMethod() {
      return op.getHttpMethod();
    }

    @Override
    public String getOpenAPIPath() {
      return op.getOpenAPIPath();
    }

    @Override
    public String getAbsoluteOpenAPIPath() {
      return op.getAbsoluteOpenAPIPath();
    }

    @Override
    public List<String> getTags() {
      return op.getTags();
    }

    @Override
    public List<io.vertx.openapi.contract.Parameter> getParameters() {
      return op.getParameters();
    }

    @Override
    public io.vertx.openapi.contract.RequestBody getRequestBody() {
      return null;
    }

    @Override
    public io.vertx.openapi.contract.Response getDefaultResponse() {
      return op.getDefaultResponse();
    }

    @Override
    public io.vertx.openapi.contract.Response getResponse(int status) {
      return op.getResponse(status);
    }

    @Override
    public List<SecurityRequirement> getSecurityRequirements() {
      return op.getSecurityRequirements();
    }

    @Override
    public JsonObject getOpenAPIModel() {
      return op.getOpenAPIModel();
    }

    @Override
    public Map<String, Object> getExtensions() {
      return op.getExtensions();
    }
  }

  /** Keyed by schema identity: the contract's schema objects live as long as the contract. */
  private static final class CachingRepository implements SchemaRepository {

    private final SchemaRepository repository;
    private final Map<JsonSchema, Validator> validators = Collections.synchronizedMap(new IdentityHashMap<>());

    CachingRepository(SchemaRepository repository) {
      this.repository = repository;
    }

    @Override
    public Validator validator(JsonSchema schema) {
      return validators.computeIfAbsent(schema, repository::validator);
    }

    @Override
    public SchemaRepository dereference(JsonSchema schema) {
      return repository.dereference(schema);
    }

    @Override
    public SchemaRepository dereference(String uri, JsonSchema schema) {
      return repository.dereference(uri, schema);
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs) {
      return repository.preloadMetaSchema(fs);
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs, io.vertx.json.schema.Draft draft) {
      return repository.preloadMetaSchema(fs, draft);
    }

    @Override
    public Validator validator(String ref) {
      return repository.validator(ref);
    }

    @Override
    public Validator validator(String ref, JsonSchemaOptions options) {
      return repository.validator(ref, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
      return repository.validator(schema, options, dereference);
    }

    @Override
    public JsonObject resolve(JsonObject schema) {
      return repository.resolve(schema);
    }

    @Override
    public JsonSchema find(String pointer) {
      return repository.find(pointer);
    }
  }
}
