export { CONSERVATION_OFFSET, PAYLOAD_SIZE, isSealed, payloadLength, sealStructure, structureCount } from './structure.js';
export { frameDocument, unframe } from './document.js';
export { documentId } from './document-id.js';
