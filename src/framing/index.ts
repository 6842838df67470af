export { CONSERVATION_OFFSET, PAYLOAD_SIZE, isSealed, payloadLength, sealStructure, storedCopy, storedForm, structureCount, wholeStructure } from './structure.js';
export { frameDocument, unframe } from './document.js';
export { documentId } from './document-id.js';
